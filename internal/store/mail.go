package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Message is one item in a mailbox.
type Message struct {
	ID      string    // sender-chosen, 1 to 64 of [A-Za-z0-9._-]; with To, the dedupe key
	To      string    // mailbox owner, 1 to 16 of [A-Z0-9_]
	From    string    // sender principal, same charset as To
	Kind    string    // free label for the hub, at most 32 bytes
	Body    []byte    // opaque to the store; sealed at rest
	Created time.Time // zero means now
	Expires time.Time // zero means Created+DefaultTTL; at most Created+MaxTTL
	Seq     uint64    // stream sequence, set by the store on returned messages
}

// Every message of one owner is stored on the owner's subject; its reference
// travels in the Bc-Ref header. (Records made before the one-subject
// layout have the reference as the subject's last token; the filter matches
// both.)
func mailSubject(owner string) string { return mailPrefix + owner + ".m" }
func mailFilter(owner string) string  { return mailPrefix + owner + ".*" }

// subjectOwner returns the owner of a mail subject.
func subjectOwner(subj string) (string, bool) {
	rest, ok := strings.CutPrefix(subj, mailPrefix)
	if !ok {
		return "", false
	}
	owner, _, ok := strings.Cut(rest, ".")
	return owner, ok && owner != ""
}

// refHeader carries a mail record's reference. (Records stored before it
// carry the reference as Nats-Msg-Id, which made JetStream keep a duplicate
// window entry per message: two pointers per message for every garbage
// collection to trace.)
const refHeader = "Bc-Ref"

// recordRef returns the reference of a stored mail record.
func recordRef(h nats.Header) string {
	if r := h.Get(refHeader); r != "" {
		return r
	}
	return h.Get(jetstream.MsgIDHeader)
}

// Put stores m and returns once JetStream has acknowledged it; an accepted
// message survives the process being killed. If a message with the same To
// and ID is still stored, or was put within the last two minutes, Put stores
// nothing and returns that message (as far as it is still readable) with dup
// set. Put is safe to call from many goroutines; throughput grows with them.
//
// The duplicate check is the index: any stored copy, however late the
// retry, and a copy acknowledged within the duplicate window (two minutes).
// Puts of one message at once take turns, the first storing it. Once a
// message is published, Put waits for JetStream's acknowledgement (at most
// 30 s) even if ctx ends, so that the index knows what was stored.
func (s *Store) Put(ctx context.Context, m Message) (stored Message, dup bool, err error) {
	if err := s.alive(); err != nil {
		return Message{}, false, err
	}
	now := s.now()
	if err := s.prepare(&m, now); err != nil {
		return Message{}, false, err
	}
	ref := s.root.ref(m.To, m.ID)
	for {
		got, found, err := s.stored(ctx, ref, m)
		if found || err != nil {
			return got, found, err
		}
		turn, mine := s.index.claim(ref)
		if mine {
			defer s.index.release(ref, turn)
			// Another Put may have stored it between the look and the claim.
			if got, found, err := s.stored(ctx, ref, m); found || err != nil {
				return got, found, err
			}
			break
		}
		select {
		case <-turn: // that Put is done: look again
		case <-ctx.Done():
			return Message{}, false, ctx.Err()
		}
	}
	tk := tableKey(m.To, ref)
	epoch := s.epochOf(now)
	ek, err := s.epochKey(ctx, epoch, true)
	if err != nil {
		return Message{}, false, wrapErr("put", err)
	}
	k := newKey()
	s.hook("message", k)
	msg := &nats.Msg{
		Subject: mailSubject(m.To),
		Data:    mailRecord(ek, tk, epoch, m.Expires, k, encodeMessage(m)),
		Header:  nats.Header{refHeader: []string{ref}},
	}
	clear(k) // the record holds the only copy, wrapped
	ttl := max(m.Expires.Sub(now).Truncate(time.Second)+time.Second, minTTL)
	floor := s.index.beginPut(m.To)
	ack, err := s.publish(msg, jetstream.WithMsgTTL(min(ttl, s.opts.MaxTTL)))
	if err != nil {
		s.index.endPut(m.To, floor, true)
		return Message{}, false, wrapErr("put", err)
	}
	m.Seq = ack.Sequence
	s.index.add(m.To, ref, m.Seq)
	s.index.endPut(m.To, floor, false)
	s.dispatch(ref, m)
	return m, false, nil
}

// prepare validates m and fills in its defaults.
func (s *Store) prepare(m *Message, now time.Time) error {
	if err := checkPrincipal("Message.To", m.To); err != nil {
		return err
	}
	if err := checkPrincipal("Message.From", m.From); err != nil {
		return err
	}
	if err := checkID("Message.ID", m.ID); err != nil {
		return err
	}
	if err := checkKind(m.Kind); err != nil {
		return err
	}
	if m.Created.IsZero() {
		m.Created = now
	}
	if m.Expires.IsZero() {
		m.Expires = m.Created.Add(s.opts.DefaultTTL)
	}
	m.Created, m.Expires = m.Created.Round(0), m.Expires.Round(0) // drop monotonic readings
	if ttl := m.Expires.Sub(m.Created); ttl <= 0 || ttl > s.opts.MaxTTL {
		return fmt.Errorf("%w: Message.Expires: want after Created and at most MaxTTL (%v) later, got a TTL of %v", ErrInvalid, s.opts.MaxTTL, ttl)
	}
	if !m.Expires.After(now) {
		return fmt.Errorf("%w: Message.Expires: %v is already past", ErrInvalid, m.Expires)
	}
	m.Seq = 0
	return nil
}

// stored looks for a copy of m already stored, or acknowledged within the
// duplicate window, and returns it with found set. A stored copy is handed
// to the owner's subscriptions again: the Put that stored it may have lost
// its caller (a cancelled context) before its reply, and a subscriber drops
// what it has already seen by ID.
func (s *Store) stored(ctx context.Context, ref string, m Message) (Message, bool, error) {
	if seq, ok := s.index.lookup(ref); ok {
		got, err := s.fetch(ctx, m.To, ref, seq)
		switch {
		case err == nil:
			s.dispatch(ref, got)
			return got, true, nil
		case !errors.Is(err, ErrNotFound):
			return Message{}, false, wrapErr("put", err)
		}
		s.index.drop(m.To, ref, seq) // expired or removed by JetStream since
	}
	if seq, ok := s.index.recentlyAcked(ref, time.Now().Add(-s.opts.dedupe)); ok {
		m.Seq = seq
		return m, true, nil
	}
	return Message{}, false, nil
}

// openMail decrypts a stored message. A message whose key is gone, or that
// has expired by the store's clock, is errShredded: for every reader it no
// longer exists.
func (s *Store) openMail(ctx context.Context, raw *jetstream.RawStreamMsg) (Message, error) {
	owner, ok := subjectOwner(raw.Subject)
	if !ok {
		return Message{}, fmt.Errorf("%w: subject %q", errCorrupt, raw.Subject)
	}
	ref, data, seq := recordRef(raw.Header), raw.Data, raw.Sequence
	tk := tableKey(owner, ref)
	entry, sealed, err := splitMailRecord(data)
	if err != nil {
		return Message{}, err
	}
	if !entry.expires.After(s.now()) {
		return Message{}, errShredded
	}
	k, err := s.openMessageKey(ctx, tk, entry)
	if err != nil {
		return Message{}, err
	}
	pt, err := openRecord(k, labelMail, tk, sealed)
	clear(k)
	if err != nil {
		return Message{}, err
	}
	m, err := decodeMessage(pt)
	if err != nil {
		return Message{}, err
	}
	if s.root.ref(owner, m.ID) != ref {
		return Message{}, fmt.Errorf("%w: message ID does not match its reference", errCorrupt)
	}
	if !m.Expires.After(s.now()) {
		return Message{}, errShredded
	}
	m.To, m.Seq = owner, seq
	return m, nil
}

// List returns owner's pending messages (unacknowledged, unexpired) in
// arrival order. It changes nothing.
func (s *Store) List(ctx context.Context, owner string) ([]Message, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	if err := checkPrincipal("owner", owner); err != nil {
		return nil, err
	}
	var out []Message
	for seq := uint64(1); ; {
		raw, err := s.mail.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(mailFilter(owner)))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, wrapErr("list", err)
		}
		if raw.Sequence < seq {
			return nil, wrapErr("list", fmt.Errorf("%w: asked for mail from sequence %d, got %d", errCorrupt, seq, raw.Sequence))
		}
		seq = raw.Sequence + 1
		m, err := s.openMail(ctx, raw)
		if errors.Is(err, errShredded) {
			continue
		}
		if err != nil {
			return nil, wrapErr("list", err)
		}
		out = append(out, m)
	}
}

// Get returns owner's pending message id. It is ErrNotFound when there is
// none, including when the ID belongs to another owner's message.
func (s *Store) Get(ctx context.Context, owner, id string) (Message, error) {
	if err := s.alive(); err != nil {
		return Message{}, err
	}
	if err := checkPrincipal("owner", owner); err != nil {
		return Message{}, err
	}
	if err := checkID("id", id); err != nil {
		return Message{}, err
	}
	ref := s.root.ref(owner, id)
	seq, ok := s.index.lookup(ref)
	if !ok {
		return Message{}, ErrNotFound
	}
	m, err := s.fetch(ctx, owner, ref, seq)
	if errors.Is(err, ErrNotFound) {
		s.index.drop(owner, ref, seq)
	}
	return m, err
}

// fetch reads and opens the message (owner, ref) at seq. It is ErrNotFound
// when seq holds nothing, or something else, or what has expired.
func (s *Store) fetch(ctx context.Context, owner, ref string, seq uint64) (Message, error) {
	raw, err := s.mail.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, wrapErr("get", err)
	}
	if o, _ := subjectOwner(raw.Subject); o != owner || recordRef(raw.Header) != ref {
		return Message{}, ErrNotFound
	}
	m, err := s.openMail(ctx, raw)
	if errors.Is(err, errShredded) {
		return Message{}, ErrNotFound
	}
	return m, wrapErr("get", err)
}

// Ack deletes owner's message id, and with it the only copy of its wrapped
// key. It is ErrNotFound when owner has no such message, so a second Ack of
// the same message reports ErrNotFound and changes nothing; another owner's
// mail is never touched. It returns once the message is gone, or when ctx
// ends (the removal goes on).
func (s *Store) Ack(ctx context.Context, owner, id string) error {
	res := make(chan error, 1)
	s.AckFunc(ctx, owner, id, func(err error) { res <- err })
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AckFunc is Ack without the wait: it calls done, once, with what Ack would
// return, either before it returns (a refused or unknown id, a busy store)
// or from the store's own goroutine once the message is gone. done must not
// block. The hub uses it so that a session's Acks, waiting for a batch to be
// removed, hold none of the places its other requests need.
func (s *Store) AckFunc(ctx context.Context, owner, id string, done func(error)) {
	if err := s.alive(); err != nil {
		done(err)
		return
	}
	if err := checkPrincipal("owner", owner); err != nil {
		done(err)
		return
	}
	if err := checkID("id", id); err != nil {
		done(err)
		return
	}
	ref := s.root.ref(owner, id)
	e, ok := s.index.take(owner, ref, 0)
	if !ok {
		s.acked(owner, ref)
		done(ErrNotFound)
		return
	}
	s.remove(ctx, &ackReq{owner: owner, ref: ref, e: e, done: done})
}
