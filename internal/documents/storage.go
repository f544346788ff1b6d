package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Storage keeps sealed documents as named objects. It only ever sees sealed bytes. Names are
// document ids (letters, digits, '-' and '_').
type Storage interface {
	// Put stores size bytes from r under name, replacing nothing: a name is written once.
	Put(ctx context.Context, name string, r io.Reader, size int64) error
	// Open returns the object's bytes; a missing object is ErrNoObject.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Remove deletes the object; removing a missing object is not an error.
	Remove(ctx context.Context, name string) error
}

// ErrNoObject is the error of Open for a name the storage does not hold.
var ErrNoObject = errors.New("documents: no such stored object")

func checkName(name string) error {
	if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return fmt.Errorf("documents: %q is not an object name", name)
	}
	return nil
}

// Disk is Storage in a directory of the local file system (by default DATA_DIR/documents):
// one file per document, written to a temporary file and renamed into place, so a crash
// never leaves half an object under its name. Objects are spread over 256 subdirectories by
// the last two characters of the name.
type Disk struct {
	Dir string
}

func (d Disk) path(name string) string {
	return filepath.Join(d.Dir, name[len(name)-min(2, len(name)):], name)
}

// Put implements Storage.
func (d Disk) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	if err := checkName(name); err != nil {
		return err
	}
	if f, ok := r.(*os.File); ok && sameDevice(d.Dir, f.Name()) {
		// A spool file already sealed on this disk: rename it into place instead of copying.
		return d.move(f.Name(), name)
	}
	p := d.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	n, err := io.Copy(f, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("documents: %d bytes to store, %d read", size, n)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// move renames an existing file in (or under) d.Dir to the object name.
func (d Disk) move(from, name string) error {
	p := d.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	return os.Rename(from, p)
}

// sameDevice reports whether file lies under dir, so a rename moves it (spools live in
// dir/.spool).
func sameDevice(dir, file string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && !strings.HasPrefix(rel, "..")
}

// Open implements Storage.
func (d Disk) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(d.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoObject
	}
	return f, err
}

// Remove implements Storage.
func (d Disk) Remove(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	err := os.Remove(d.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// S3 is Storage in a bucket of an S3-compatible object store (MinIO, Ceph, Yandex Object
// Storage, SeaweedFS…), through minio-go.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

// S3Options configure NewS3.
type S3Options struct {
	// URL is the endpoint with the bucket as its path, and an optional key prefix after it:
	// https://storage.example.ru/sep-documents or http://127.0.0.1:9000/bucket/prefix.
	URL       string
	AccessKey string
	SecretKey string
	Region    string // optional
}

// NewS3 returns the storage of opts; it does not contact the server (Check does).
func NewS3(opts S3Options) (*S3, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("documents: the S3 address must be http(s)://host[:port]/bucket[/prefix]")
	}
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if bucket == "" {
		return nil, errors.New("documents: the S3 address names no bucket (http(s)://host/bucket)")
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       opts.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("documents: S3 client: %w", err)
	}
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: c, bucket: bucket, prefix: prefix}, nil
}

// Check reports whether the bucket exists and the credentials reach it.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("documents: S3 bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("documents: S3 bucket %s does not exist", s.bucket)
	}
	return nil
}

// Put implements Storage. size must be known (the store spools every document first), so
// the upload streams in one request without buffering a part in memory.
func (s *S3) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	if err := checkName(name); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+name, r, size,
		minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: size <= 512<<20})
	if err != nil {
		return fmt.Errorf("documents: S3 put: %w", err)
	}
	return nil
}

// Open implements Storage.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	o, err := s.client.GetObject(ctx, s.bucket, s.prefix+name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("documents: S3 get: %w", err)
	}
	// GetObject is lazy: ask for the object's details so a missing one is an error now.
	if _, err := o.Stat(); err != nil {
		o.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, ErrNoObject
		}
		return nil, fmt.Errorf("documents: S3 get: %w", err)
	}
	return o, nil
}

// Remove implements Storage.
func (s *S3) Remove(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+name, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("documents: S3 remove: %w", err)
	}
	return nil
}
