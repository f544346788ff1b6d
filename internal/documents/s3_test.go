package documents

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/sep-platform/sep/internal/db/dbtest"
)

// startS3 serves an in-process S3 protocol server (gofakes3) on a loopback port with one
// bucket, and returns its backend to look at what it stores.
func startS3(t *testing.T, bucket string) (string, *s3mem.Backend) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: gofakes3.New(backend).Server()}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String(), backend
}

func TestS3Storage(t *testing.T) {
	ctx := context.Background()
	endpoint, backend := startS3(t, "sep-documents")
	st, err := NewS3(S3Options{URL: endpoint + "/sep-documents/test", AccessKey: "sep-test", SecretKey: "sep-test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Check(ctx); err != nil {
		t.Fatal(err)
	}
	missing, _ := NewS3(S3Options{URL: endpoint + "/no-such-bucket", AccessKey: "a", SecretKey: "b"})
	if err := missing.Check(ctx); err == nil {
		t.Error("a missing bucket passes the check")
	}
	if _, err := st.Open(ctx, "nothing-here"); !errors.Is(err, ErrNoObject) {
		t.Errorf("a missing object: %v", err)
	}

	d := dbtest.Open(t, dbtest.SQLiteURL(t))
	s, dir := testStore(t, d, nil, st)
	text := "Petrov Ivan Sergeevich SNILS 112-233-445 95 fictitious"
	file := testPDF(text+strings.Repeat(" padding", 30000), "", "", "") // several chunks
	doc, err := s.Put(ctx, bytes.NewReader(file), Upload{Rule: Rule{Kind: "snils"}})
	if err != nil || doc.Verdict.State != Accepted {
		t.Fatalf("put: %+v, %v", doc, err)
	}
	if got := readAll(t, s, doc.ID); !bytes.Equal(got, file) {
		t.Fatal("the document read back from S3 differs")
	}
	obj, err := backend.GetObject("sep-documents", "test/"+doc.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if int64(len(raw)) != SealedSize(int64(len(file))) || bytes.Contains(raw, []byte("Petrov")) || bytes.Contains(raw, []byte("%PDF")) {
		t.Errorf("the object in the bucket is not the sealed file (%d bytes)", len(raw))
	}
	if files := filesUnder(t, dir); len(files) != 0 {
		t.Errorf("spools left on disk: %v", files)
	}
	if err := s.Remove(ctx, nil, doc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Open(ctx, doc.ID); !errors.Is(err, ErrNoObject) {
		t.Errorf("after remove: %v", err)
	}
}
