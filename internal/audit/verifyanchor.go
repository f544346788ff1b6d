package audit

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
)

// anchorWalk is where Verify is among the anchors it was given.
type anchorWalk struct {
	list []*Checkpoint // distinct anchors, by seq, then number
	next int           // index in list of the next anchor to check
	good []*Checkpoint // the anchors found to match the journal
}

// prepareAnchors keeps one of each set of anchors that agree (the same checkpoint anchored
// twice, or collected from two sinks) and refuses any whose signature cannot be believed.
func (v *verifier) prepareAnchors(in []Checkpoint) *Problem {
	seen := map[string]bool{}
	for i := range in {
		a := &in[i]
		key := a.Digest().String() + string(a.Signature)
		if seen[key] {
			continue
		}
		seen[key] = true
		switch v.signature(a) {
		case untrusted:
			return &Problem{Kind: AnchorUntrusted, Seq: a.Seq, Checkpoint: a.N, Detail: fmt.Sprintf(
				"anchor %d is signed by key %s, which is not trusted", a.N, a.KeyID)}
		case forged:
			return &Problem{Kind: AnchorSignature, Seq: a.Seq, Checkpoint: a.N, Detail: fmt.Sprintf(
				"anchor %d signature is invalid: it was changed or forged", a.N)}
		}
		v.anchors.list = append(v.anchors.list, a)
	}
	slices.SortFunc(v.anchors.list, func(a, b *Checkpoint) int {
		if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
			return c
		}
		return cmp.Compare(a.N, b.N)
	})
	v.report.Anchors = int64(len(v.anchors.list))
	return nil
}

// anchorsUpTo checks the anchors of entries up to seq, which the walk has just reached with
// hash: the journal must still have the hash each anchor records.
func (v *verifier) anchorsUpTo(seq int64, hash Hash) *Problem {
	w := &v.anchors
	for w.next < len(w.list) && w.list[w.next].Seq <= seq {
		a := w.list[w.next]
		w.next++
		if a.Seq != seq || a.Hash != hash {
			return &Problem{Kind: AnchorMismatch, Seq: a.Seq, Checkpoint: a.N, Detail: fmt.Sprintf(
				"anchor %d does not match entry %d: entries %d–%d were rewritten", a.N, a.Seq, v.rewrittenFrom(a), a.Seq)}
		}
		w.good = append(w.good, a)
		v.report.LastAnchor = a.Seq
	}
	return nil
}

// rewrittenFrom is the first entry that may have been rewritten under anchor a: the one after
// the last entry that an earlier checkpoint, stored or anchored, showed intact.
func (v *verifier) rewrittenFrom(a *Checkpoint) int64 {
	var last int64
	for _, g := range v.anchors.good {
		if g.N < a.N {
			last = max(last, g.Seq)
		}
	}
	for _, s := range v.cps[:v.next] {
		if s.N < a.N && s.Seq <= a.Seq {
			last = max(last, s.Seq)
		}
	}
	return last + 1
}

// anchorsBeyond reports anchors of entries after last, the end of the journal: the tail was
// cut off. It names the anchor of the latest entry, which shows how much is gone.
func (v *verifier) anchorsBeyond(last int64) *Problem {
	w := &v.anchors
	if w.next == len(w.list) {
		return nil
	}
	a := w.list[len(w.list)-1]
	end := fmt.Sprintf("the journal ends at entry %d", last)
	if last == 0 {
		end = "the journal is empty"
	}
	return &Problem{Kind: Truncated, Seq: last + 1, Checkpoint: a.N, Detail: fmt.Sprintf(
		"anchor %d records entry %d, but %s: entries were removed from the end", a.N, a.Seq, end)}
}

// anchoredCheckpoints reports a checkpoint that an anchor records and the database no longer
// holds as it was anchored: removed, or removed and made again.
func (v *verifier) anchoredCheckpoints() *Problem {
	stored := map[int64]*Checkpoint{}
	for _, s := range v.cps {
		stored[s.N] = &s.Checkpoint
	}
	byN := slices.Clone(v.anchors.list)
	slices.SortStableFunc(byN, func(a, b *Checkpoint) int { return cmp.Compare(a.N, b.N) })
	for _, a := range byN {
		c, ok := stored[a.N]
		switch {
		case !ok:
			return &Problem{Kind: CheckpointMissing, Seq: a.Seq, Checkpoint: a.N, Detail: fmt.Sprintf(
				"checkpoint %d is missing: anchor %d records it, covering entry %d", a.N, a.N, a.Seq)}
		case c.Digest() != a.Digest() || !bytes.Equal(c.Signature, a.Signature):
			return &Problem{Kind: AnchorMismatch, Seq: a.Seq, Checkpoint: a.N, Detail: fmt.Sprintf(
				"checkpoint %d differs from anchor %d: checkpoints were removed and made again", a.N, a.N)}
		}
	}
	return nil
}
