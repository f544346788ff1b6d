package documents

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/sep-platform/sep/internal/audit"
	"github.com/sep-platform/sep/internal/db"
	"github.com/sep-platform/sep/internal/errs"
	"github.com/sep-platform/sep/internal/seal"
)

// Journal actions; their readable names are the catalog messages "audit.action.<code>".
const (
	ActionStored   = "document.stored"  // accepted, or stored in quarantine for the antivirus
	ActionRefused  = "document.refused" // a check or the antivirus refused it (details: reason)
	ActionScanned  = "document.scanned" // a quarantined document was scanned (details: outcome)
	ActionRemoved  = "document.removed" // removed by its owner's application, or purged
	objectDocument = "document"
)

var documentsTable = seal.Table{Name: "documents", Key: "id", Sealed: []string{"name"}}
var nameColumn = documentsTable.Column("name")

// Tables declares the personal data of the store (for internal/app's SealedTables).
func Tables() []seal.Table { return []seal.Table{documentsTable} }

// Options configure a Store.
type Options struct {
	DB      *db.DB
	Box     *seal.Box // the personal-data keys: every file is sealed with them
	Storage Storage   // where sealed files go (Disk or S3)
	// SpoolDir holds the sealed spools of uploads in progress: a file is sealed as it arrives
	// and checked there before it goes to Storage. With Disk storage it should be on the same
	// file system (the spool is then renamed into place, not copied).
	SpoolDir string
	Scanner  Scanner        // nil: no antivirus
	Journal  *audit.Journal // nil in tests that do not look
	// Decoders bounds how many images are decoded at once (default 2): a decoded page takes
	// tens of megabytes, the rest of an upload a few hundred kilobytes.
	Decoders int
	Now      func() time.Time
	Logger   *slog.Logger
}

// Store keeps documents: Put checks a file against its rule, seals and stores it; Open reads
// an accepted one back; Remove deletes it. It knows nothing of applications: they keep the
// ids it returns.
type Store struct {
	db       *db.DB
	box      *seal.Box
	storage  Storage
	spool    string
	scanner  Scanner
	journal  *audit.Journal
	decoders chan struct{}
	now      func() time.Time
	log      *slog.Logger
}

// New returns a store.
func New(o Options) (*Store, error) {
	if o.DB == nil || o.Box == nil || o.Storage == nil || o.SpoolDir == "" {
		return nil, errors.New("documents: a store needs a database, a seal box, a storage and a spool directory")
	}
	if err := os.MkdirAll(o.SpoolDir, 0o750); err != nil {
		return nil, fmt.Errorf("documents: spool directory: %w", err)
	}
	if o.Decoders <= 0 {
		o.Decoders = 2
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Store{db: o.DB, box: o.Box, storage: o.Storage, spool: o.SpoolDir, scanner: o.Scanner,
		journal: o.Journal, decoders: make(chan struct{}, o.Decoders), now: o.Now, log: o.Logger}, nil
}

// Document is a stored document's record.
type Document struct {
	ID        string
	Kind      string
	Name      string // the file name as the user gave it (shown back to them, never trusted)
	Type      Type   // as sniffed from the content; "" when refused before it was known
	Verdict   Verdict
	Size      int64 // bytes of the file as stored (after re-encoding an image); 0 if refused
	Signature string
	CreatedAt time.Time
}

// Upload is what comes with a file to Put.
type Upload struct {
	Name string // the file name as given; only shown back, never used to judge the file
	Rule Rule
	// Request is the upload's request, for the journal (its principal is the actor, with the
	// address and user agent); nil: the system acts.
	Request *http.Request
}

// Put reads a file from r, checks it against u.Rule, seals and stores it. A refusal is not
// an error: the Document's Verdict says «Принят», or why not; only a failure (storage, the
// database) is an error. r is read at most to the rule's limit and one byte more, so an
// oversized file is refused without being read whole; the file is never held in memory.
func (s *Store) Put(ctx context.Context, r io.Reader, u Upload) (Document, error) {
	d := Document{ID: db.NewID(), Kind: u.Rule.Kind, Name: u.Name, CreatedAt: s.now().UTC()}
	v, final, err := s.check(ctx, d.ID, r, u.Rule, &d)
	if final != nil {
		defer final.discard()
	}
	if err != nil {
		return Document{}, err
	}
	d.Verdict = v
	if v.State == Refused {
		d.Size = 0
		return d, s.insert(ctx, u.Request, d, "", 0)
	}
	size, err := final.size()
	if err != nil {
		return Document{}, err
	}
	if err := final.rewind(); err != nil {
		return Document{}, err
	}
	if err := s.storage.Put(ctx, d.ID, final.f, size); err != nil {
		return Document{}, fmt.Errorf("documents: store %s: %w", d.ID, err)
	}
	if err := s.insert(ctx, u.Request, d, final.key.String(), size); err != nil {
		if rerr := s.storage.Remove(context.WithoutCancel(ctx), d.ID); rerr != nil {
			s.log.Error("documents: an object without its row", "document", d.ID, "err", rerr)
		}
		return Document{}, err
	}
	return d, nil
}

func (s *Store) insert(ctx context.Context, r *http.Request, d Document, keyID string, stored int64) error {
	args, _ := json.Marshal(d.Verdict.Args)
	if d.Verdict.Args == nil {
		args = []byte("{}")
	}
	var key, sig any
	if keyID != "" {
		key = keyID
	}
	if d.Signature != "" {
		sig = d.Signature
	}
	var checked any
	if d.Verdict.State != Quarantined {
		checked = d.CreatedAt
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (id, kind, name, type, state, reason, reason_args,
			size, stored_size, key_id, signature, created_at, checked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			d.ID, d.Kind, s.box.SealString(nameColumn, d.ID, d.Name), string(d.Type), string(d.Verdict.State),
			d.Verdict.Reason, string(args), d.Size, stored, key, sig, d.CreatedAt, checked)
		if err != nil {
			return fmt.Errorf("documents: insert: %w", err)
		}
		action, details := ActionStored, map[string]string{"state": string(d.Verdict.State)}
		if d.Verdict.State == Refused {
			action, details = ActionRefused, map[string]string{"reason": d.Verdict.Reason}
		}
		if d.Type != "" {
			details["type"] = string(d.Type)
		}
		if d.Kind != "" {
			details["kind"] = d.Kind
		}
		return s.record(ctx, tx, r, action, d.ID, details)
	})
}

func (s *Store) record(ctx context.Context, tx *sql.Tx, r *http.Request, action, id string, details map[string]string) error {
	if s.journal == nil {
		return nil
	}
	e := audit.Entry{ActorKind: audit.ActorSystem, ActorID: "documents", Action: action,
		ObjectType: objectDocument, ObjectID: id, Details: details}
	var err error
	if r != nil {
		_, err = s.journal.AppendRequest(ctx, tx, r, e)
	} else {
		_, err = s.journal.Append(ctx, tx, e)
	}
	if err != nil {
		return fmt.Errorf("documents: journal %s: %w", action, err)
	}
	return nil
}

// Get returns a document's record; an unknown id is errs.NotFound.
func (s *Store) Get(ctx context.Context, id string) (Document, error) {
	d, _, err := s.get(ctx, s.db.Reader(), id)
	return d, err
}

func (s *Store) get(ctx context.Context, q db.Querier, id string) (Document, string, error) {
	var d Document
	var name seal.Sealed
	var typ, state, args string
	var sig, key sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, kind, name, type, state, reason, reason_args, size, signature,
		key_id, created_at FROM documents WHERE id = $1`, id).Scan(&d.ID, &d.Kind, &name, &typ, &state,
		&d.Verdict.Reason, &args, &d.Size, &sig, &key, &d.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, "", errs.E(errs.NotFound, "documents.not_found", err)
	}
	if err != nil {
		return d, "", fmt.Errorf("documents: get %s: %w", id, err)
	}
	d.Type, d.Verdict.State, d.Signature = Type(typ), State(state), sig.String
	if args != "{}" {
		if err := json.Unmarshal([]byte(args), &d.Verdict.Args); err != nil {
			return d, "", fmt.Errorf("documents: %s: reason arguments: %w", id, err)
		}
	}
	if d.Name, err = s.box.OpenString(nameColumn, d.ID, name); err != nil {
		return d, "", err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return d, key.String, nil
}

// Open returns an accepted document's record and its content, opened chunk by chunk as it is
// read (a chunk altered in storage is an error before any of its bytes are returned). A
// quarantined document is errs.Conflict documents.quarantined, a refused one
// documents.refused: neither can be read.
func (s *Store) Open(ctx context.Context, id string) (Document, io.ReadCloser, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return d, nil, err
	}
	switch d.Verdict.State {
	case Quarantined:
		return d, nil, errs.E(errs.Conflict, "documents.quarantined", nil)
	case Refused:
		return d, nil, errs.E(errs.Conflict, "documents.not_stored", nil)
	}
	rc, err := s.openStored(ctx, id)
	return d, rc, err
}

func (s *Store) openStored(ctx context.Context, id string) (io.ReadCloser, error) {
	obj, err := s.storage.Open(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("documents: open %s: %w", id, err)
	}
	r, err := openReader(obj, s.box, id)
	if err != nil {
		obj.Close()
		return nil, fmt.Errorf("documents: open %s: %w", id, err)
	}
	return readCloser{r, obj}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// Remove deletes a document and its stored file; an unknown id is errs.NotFound.
func (s *Store) Remove(ctx context.Context, r *http.Request, id string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("documents: remove %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "documents.not_found", nil)
		}
		return s.record(ctx, tx, r, ActionRemoved, id, nil)
	})
	if err != nil {
		return err
	}
	if err := s.storage.Remove(ctx, id); err != nil {
		// The row is gone, so nothing can reach the file; it is sealed, and the next
		// removal of the same name (none: ids are unique) would not matter. Say so loudly.
		s.log.Error("documents: the stored file of a removed document is left behind", "document", id, "err", err)
	}
	return nil
}

// ScanQuarantined scans every document left in quarantine (the antivirus was unreachable
// when it was uploaded) and returns how many it settled. A periodic job calls it.
func (s *Store) ScanQuarantined(ctx context.Context) (int, error) {
	if s.scanner == nil {
		return 0, nil
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id FROM documents WHERE state = 'quarantined'
		ORDER BY created_at LIMIT 100`)
	if err != nil {
		return 0, fmt.Errorf("documents: quarantine: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	settled := 0
	for _, id := range ids {
		rc, err := s.openStored(ctx, id)
		if err != nil {
			return settled, err
		}
		infected, sig, err := s.scanner.Scan(ctx, rc)
		rc.Close()
		if err != nil {
			_, uerr := s.db.Writer().ExecContext(ctx, `UPDATE documents SET scan_tries = scan_tries + 1 WHERE id = $1`, id)
			return settled, errors.Join(fmt.Errorf("documents: scan %s: %w", id, err), uerr)
		}
		if err := s.settle(ctx, id, infected, sig); err != nil {
			return settled, err
		}
		settled++
	}
	return settled, nil
}

func (s *Store) settle(ctx context.Context, id string, infected bool, sig string) error {
	state, reason, outcome := Accepted, "documents.accepted", "clean"
	var signature any
	if infected {
		state, reason, outcome, signature = Refused, "documents.refused.infected", "infected", sig
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE documents SET state = $1, reason = $2, signature = $3,
			checked_at = $4, scan_tries = scan_tries + 1 WHERE id = $5 AND state = 'quarantined'`,
			string(state), reason, signature, s.now().UTC(), id)
		if err != nil {
			return fmt.Errorf("documents: settle %s: %w", id, err)
		}
		return s.record(ctx, tx, nil, ActionScanned, id, map[string]string{"outcome": outcome})
	})
	if err == nil && infected {
		err = s.storage.Remove(ctx, id)
	}
	return err
}

// spoolFile is a sealed file in the spool directory.
type spoolFile struct {
	f   *os.File
	key seal.KeyID
}

func (s *Store) newSpool(id string) (*spoolFile, error) {
	f, err := os.CreateTemp(s.spool, id+"-*")
	if err != nil {
		return nil, fmt.Errorf("documents: spool: %w", err)
	}
	return &spoolFile{f: f}, nil
}

func (sf *spoolFile) size() (int64, error) {
	st, err := sf.f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func (sf *spoolFile) rewind() error {
	_, err := sf.f.Seek(0, io.SeekStart)
	return err
}

// opened reads the spool's plaintext from its start.
func (sf *spoolFile) opened(box *seal.Box, id string) (io.Reader, error) {
	if err := sf.rewind(); err != nil {
		return nil, err
	}
	return openReader(sf.f, box, id)
}

// discard removes the spool (if Disk storage renamed it into place, there is nothing left).
func (sf *spoolFile) discard() {
	sf.f.Close()
	os.Remove(sf.f.Name())
}

// KeyUses counts the stored files sealed under the data key id: a key that still seals some
// must stay in the ring (files are not re-sealed by a rotation; `sep keys remove-data-key`
// asks this first).
func KeyUses(ctx context.Context, d *db.DB, id seal.KeyID) (int64, error) {
	var n int64
	err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE key_id = $1 AND state <> 'refused'`,
		id.String()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("documents: count the files of key %s: %w", id, err)
	}
	return n, nil
}
