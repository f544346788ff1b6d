// Package atomicfile writes files so that nobody ever reads half of one: the content goes to a
// temporary file in the same directory, is synced, and only then takes the file's name. Keys,
// signatures, key rings and exports are written this way.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// File is a file being written; Commit gives it its name, Abort throws it away.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path with mode perm (the temporary file has that mode from the start,
// so a key is never readable by others, not even for a moment).
func Create(path string, perm fs.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &File{File: tmp, path: path}, nil
}

// Commit syncs the content and renames the file to its path, replacing what was there.
// Without the sync a crash soon after the rename could leave the name on an empty file.
func (f *File) Commit() error { return f.finish(os.Rename) }

// CommitNew is Commit that never replaces: if path exists it fails with fs.ErrExist and the
// existing file stays as it was (two processes creating the same key: one wins).
func (f *File) CommitNew() error { return f.finish(os.Link) }

func (f *File) finish(place func(oldpath, newpath string) error) error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	defer os.Remove(f.Name()) // the temporary name; gone already after a rename
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return place(f.Name(), f.path)
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *File) Abort() {
	if !f.done {
		f.done = true
		f.Close()
		os.Remove(f.Name())
	}
}

// Write writes data to path atomically with mode perm, replacing what was there.
func Write(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, (*File).Commit)
}

// WriteNew writes data to path atomically with mode perm unless path exists; then it fails
// with an error that errors.Is fs.ErrExist.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, (*File).CommitNew)
}

func write(path string, data []byte, perm fs.FileMode, commit func(*File) error) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.File.Write(data); err != nil {
		f.Abort()
		return err
	}
	return commit(f)
}
