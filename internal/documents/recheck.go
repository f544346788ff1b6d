package documents

import (
	"context"

	"github.com/sep-platform/sep/internal/db"
)

// Recheck judges a stored document again against another rule: a document kept in a
// citizen's library and offered to an application of another service, whose rule for the
// kind may be stricter (a smaller size limit, a resolution, colour, PDF/A-1b). The stored
// file goes through the same checks as Put, and nothing is stored or changed: the document
// keeps its own verdict, and the caller attaches it only if this one is «Принят». The
// antivirus is not asked again (it scanned the file when it was uploaded). Only an accepted
// document can be rechecked: a quarantined or refused one is Open's errs.Conflict, an
// unknown id errs.NotFound.
func (s *Store) Recheck(ctx context.Context, id string, rule Rule) (Verdict, error) {
	_, rc, err := s.Open(ctx, id)
	if err != nil {
		return Verdict{}, err
	}
	defer rc.Close()
	probe := *s // the same store without its scanner: only the rule's checks run
	probe.scanner = nil
	var d Document
	// The spool is sealed under an id of its own, discarded at once.
	v, final, err := probe.check(ctx, db.NewID(), rc, rule, &d)
	if final != nil {
		final.discard()
	}
	if err != nil {
		return Verdict{}, err
	}
	return v, nil
}
