package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/sep-platform/sep/gost/gost3410"
	"github.com/sep-platform/sep/gost/gostpkix"
	"github.com/sep-platform/sep/internal/keys"
)

// ProblemKind names what Verify found wrong.
type ProblemKind string

// The problems Verify reports.
const (
	EntryChanged        ProblemKind = "entry_changed"        // content does not match its hash
	EntryMissing        ProblemKind = "entry_missing"        // a sequence number is skipped
	EntryInserted       ProblemKind = "entry_inserted"       // two entries follow the same predecessor
	EntriesReordered    ProblemKind = "entries_reordered"    // two neighbours are swapped
	EntryUnlinked       ProblemKind = "entry_unlinked"       // does not follow its predecessor
	Truncated           ProblemKind = "truncated"            // entries removed from the end
	HeadMismatch        ProblemKind = "head_mismatch"        // the head names another hash
	CheckpointMissing   ProblemKind = "checkpoint_missing"   // a checkpoint number is skipped
	CheckpointUnlinked  ProblemKind = "checkpoint_unlinked"  // does not follow the checkpoint before
	CheckpointUntrusted ProblemKind = "checkpoint_untrusted" // signed by a key not trusted
	CheckpointSignature ProblemKind = "checkpoint_signature" // the signature is invalid
	CheckpointMismatch  ProblemKind = "checkpoint_mismatch"  // the chain no longer has the signed hash
	AnchorUntrusted     ProblemKind = "anchor_untrusted"     // an anchor signed by a key not trusted
	AnchorSignature     ProblemKind = "anchor_signature"     // an anchor's signature is invalid
	AnchorMismatch      ProblemKind = "anchor_mismatch"      // the journal disagrees with an anchor
)

// Problem is the first broken link Verify found.
type Problem struct {
	Kind       ProblemKind
	Seq        int64 // the first entry affected
	Checkpoint int64 // the checkpoint concerned, 0 if none
	Detail     string
}

func (p *Problem) Error() string { return p.Detail }

// Report is the outcome of Verify.
type Report struct {
	Head           int64 // the sequence number the head records
	HeadHash       Hash
	Entries        int64 // entries checked
	Checkpoints    int64 // checkpoints checked
	LastCheckpoint int64 // the entry the last good checkpoint covers
	Anchors        int64 // distinct anchors checked (VerifyOptions.Anchors)
	LastAnchor     int64 // the entry the last anchor covers
	Problem        *Problem
}

// Intact reports whether no problem was found.
func (r *Report) Intact() bool { return r.Problem == nil }

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Trusted are the public keys whose checkpoint signatures are believed. A checkpoint by
	// any other key is a problem.
	Trusted []*gost3410.PublicKey
	// Anchors are checkpoints kept outside the database (see ReadAnchors): the journal must
	// reach each, have its hash there, and still hold it as a checkpoint. They are believed
	// under the same rule as checkpoints: signed by a Trusted key.
	Anchors []Checkpoint
	// Progress, if set, is called now and then with the entries checked and the total.
	Progress func(done, total int64)
}

// verifier walks the chain and the checkpoints in order of sequence number.
type verifier struct {
	trusted map[string]*gost3410.PublicKey
	cps     []*storedCheckpoint
	next    int         // index in cps of the next checkpoint to check
	lastCP  *Checkpoint // the last checkpoint found good
	report  *Report
	anchors anchorWalk
}

// Verify walks the whole chain from entry 1 to the head and every checkpoint, and reports the
// first broken link. The error is only for failures to read; tampering is a Report.Problem.
// Entries appended while Verify runs (after it has read the head) are not checked.
func (j *Journal) Verify(ctx context.Context, opt VerifyOptions) (*Report, error) {
	v := &verifier{trusted: map[string]*gost3410.PublicKey{}, report: &Report{}}
	for _, pub := range opt.Trusted {
		id, err := keys.ID(pub)
		if err != nil {
			return nil, err
		}
		v.trusted[id] = pub
	}
	rep := v.report
	if rep.Problem = v.prepareAnchors(opt.Anchors); rep.Problem != nil {
		return rep, nil
	}
	// Checkpoints first, then the head: a checkpoint made in between covers at most the head,
	// so a concurrent checkpoint never looks like one beyond the end of the journal.
	var err error
	if v.cps, err = j.storedCheckpoints(ctx); err != nil {
		return nil, err
	}
	if rep.Head, rep.HeadHash, err = j.Head(ctx); errors.Is(err, errBadHash) {
		rep.Problem = &Problem{Kind: HeadMismatch, Seq: rep.Head, Detail: "the head's hash was changed: it is not a hash"}
		return rep, nil
	} else if err != nil {
		return nil, err
	}

	expected, prev := int64(1), Hash{}
	var before, pending *row // the entry checked last; the entry read but not yet checked
	check := func(r, next *row) *Problem {
		if err := r.parse(); err != nil {
			return &Problem{Kind: EntryChanged, Seq: r.Seq, Detail: fmt.Sprintf("entry %d was changed: its stored %v", r.Seq, err)}
		}
		switch {
		case r.Seq < expected:
			return &Problem{Kind: EntryInserted, Seq: r.Seq, Detail: fmt.Sprintf("entry %d has an impossible sequence number: it was inserted", r.Seq)}
		case r.Seq == expected+1:
			return &Problem{Kind: EntryMissing, Seq: expected, Detail: fmt.Sprintf("entry %d is missing", expected)}
		case r.Seq > expected:
			return &Problem{Kind: EntryMissing, Seq: expected, Detail: fmt.Sprintf("entries %d–%d are missing", expected, r.Seq-1)}
		}
		if r.PrevHash != prev {
			return v.unlinked(r, before, next, prev)
		}
		if r.ComputeHash() != r.Hash {
			return &Problem{Kind: EntryChanged, Seq: r.Seq, Detail: fmt.Sprintf("entry %d was changed: its content does not match its hash", r.Seq)}
		}
		return nil
	}
	// step checks pending, with r (the entry after it, or nil) as look-ahead.
	step := func(r *row) error {
		if pending == nil {
			pending = r
			return nil
		}
		if p := check(pending, r); p != nil {
			rep.Problem = p
			return errStop
		}
		if p := v.checkpointsUpTo(pending.Seq, pending.Hash); p != nil {
			rep.Problem = p
			return errStop
		}
		if p := v.anchorsUpTo(pending.Seq, pending.Hash); p != nil {
			rep.Problem = p
			return errStop
		}
		prev, before = pending.Hash, pending
		expected++
		rep.Entries++
		if opt.Progress != nil && rep.Entries%pageSize == 0 {
			opt.Progress(rep.Entries, rep.Head)
		}
		pending = r
		return nil
	}
	// An empty head means nothing to walk; scanRows would take 0 for "no bound" and read the
	// entries appended since, which the head does not cover.
	if rep.Head > 0 {
		err = j.scanRows(ctx, Filter{}, 0, rep.Head, step)
	}
	if err == nil && pending != nil {
		err = step(nil)
	}
	if err != nil && err != errStop {
		return nil, err
	}
	if opt.Progress != nil {
		opt.Progress(rep.Entries, rep.Head)
	}
	if rep.Problem != nil {
		return rep, nil
	}
	last := expected - 1
	// Checkpoints beyond the end of the chain: entries they covered are gone.
	if p := v.checkpointsUpTo(1<<62, prev); p != nil {
		if p.Kind == CheckpointMismatch {
			p = &Problem{Kind: Truncated, Seq: last + 1, Checkpoint: p.Checkpoint, Detail: fmt.Sprintf(
				"checkpoint %d covers entry %d, but the journal ends at entry %d: entries were removed from the end",
				p.Checkpoint, v.cps[v.next-1].Seq, last)}
		}
		rep.Problem = p
		return rep, nil
	}
	if rep.Problem = v.anchorsBeyond(last); rep.Problem != nil {
		return rep, nil
	}
	switch {
	case last < rep.Head:
		rep.Problem = &Problem{Kind: Truncated, Seq: last + 1, Detail: fmt.Sprintf(
			"entries %d–%d are missing: the journal ends at entry %d, but its head records %d", last+1, rep.Head, last, rep.Head)}
	case prev != rep.HeadHash:
		rep.Problem = &Problem{Kind: HeadMismatch, Seq: last, Detail: fmt.Sprintf(
			"the head records another hash for entry %d than the entry has: the journal's tail was rewritten", last)}
	default:
		rep.Problem = v.anchoredCheckpoints()
	}
	return rep, nil
}

// errStop ends the walk at the first problem.
var errStop = errors.New("stop")

// unlinked explains an entry whose previous hash is not the hash of the entry before it.
func (v *verifier) unlinked(r, before, next *row, prev Hash) *Problem {
	switch {
	case before != nil && r.PrevHash == before.PrevHash:
		return &Problem{Kind: EntryInserted, Seq: before.Seq, Detail: fmt.Sprintf(
			"entry %d was inserted: it and entry %d both follow entry %d", before.Seq, r.Seq, before.Seq-1)}
	case next != nil && next.parse() == nil && next.PrevHash == prev && r.PrevHash == next.Hash:
		return &Problem{Kind: EntriesReordered, Seq: r.Seq, Detail: fmt.Sprintf(
			"entries %d and %d are in the wrong order", r.Seq, next.Seq)}
	}
	return &Problem{Kind: EntryUnlinked, Seq: r.Seq, Detail: fmt.Sprintf(
		"entry %d does not follow entry %d: an entry between them was removed or inserted, or the order changed", r.Seq, r.Seq-1)}
}

// checkpointsUpTo checks every checkpoint not yet checked whose seq is at most seq: that it
// follows the one before, is signed by a trusted key, and (for seq itself) names hash.
func (v *verifier) checkpointsUpTo(seq int64, hash Hash) *Problem {
	for v.next < len(v.cps) && v.cps[v.next].Seq <= seq {
		s := v.cps[v.next]
		v.next++
		if p := v.checkCheckpoint(s); p != nil {
			return p
		}
		if s.Seq == seq && s.Hash != hash {
			from := int64(1)
			if v.lastCP != nil {
				from = v.lastCP.Seq + 1
			}
			return &Problem{Kind: CheckpointMismatch, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf(
				"checkpoint %d does not match entry %d: entries %d–%d were rewritten", s.N, s.Seq, from, s.Seq)}
		}
		if s.Seq < seq {
			// Only possible for a checkpoint whose entry the walk never saw.
			return &Problem{Kind: CheckpointMismatch, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf(
				"checkpoint %d covers entry %d, which the journal does not have", s.N, s.Seq)}
		}
		v.lastCP = &s.Checkpoint
		v.report.Checkpoints++
		v.report.LastCheckpoint = s.Seq
	}
	return nil
}

func (v *verifier) checkCheckpoint(s *storedCheckpoint) *Problem {
	n := int64(1)
	if v.lastCP != nil {
		n = v.lastCP.N + 1
	}
	if s.N != n {
		return &Problem{Kind: CheckpointMissing, Seq: s.Seq, Checkpoint: n, Detail: fmt.Sprintf("checkpoint %d is missing", n)}
	}
	if err := s.parse(); err != nil {
		return &Problem{Kind: CheckpointSignature, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf("checkpoint %d was changed: %v", s.N, err)}
	}
	var prevDigest Hash
	if v.lastCP != nil {
		prevDigest = v.lastCP.Digest()
		if s.Seq <= v.lastCP.Seq {
			return &Problem{Kind: CheckpointUnlinked, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf(
				"checkpoint %d goes back to entry %d from entry %d", s.N, s.Seq, v.lastCP.Seq)}
		}
	}
	switch v.signature(&s.Checkpoint) {
	case untrusted:
		return &Problem{Kind: CheckpointUntrusted, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf(
			"checkpoint %d is signed by key %s, which is not trusted", s.N, s.KeyID)}
	case forged:
		return &Problem{Kind: CheckpointSignature, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf(
			"checkpoint %d signature is invalid", s.N)}
	}
	// Checked after the signature: a forged row fails there first, a removed one here.
	if s.PrevDigest != prevDigest {
		return &Problem{Kind: CheckpointUnlinked, Seq: s.Seq, Checkpoint: s.N, Detail: fmt.Sprintf(
			"checkpoint %d does not follow checkpoint %d", s.N, s.N-1)}
	}
	return nil
}

// A checkpoint's signature is believed, or made by a key not trusted, or invalid.
const (
	believed = iota
	untrusted
	forged
)

// signature checks c's signature with the trusted keys only: checkpoints in the database and
// anchors outside it obey one rule.
func (v *verifier) signature(c *Checkpoint) int {
	pub, ok := v.trusted[c.KeyID]
	if !ok {
		return untrusted
	}
	if !gost3410.VerifyDigest(pub, gostpkix.Digest(pub.Curve(), c.Message()), c.Signature) {
		return forged
	}
	return believed
}
