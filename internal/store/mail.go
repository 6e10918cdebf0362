package store

import (
	"context"
	"encoding/json"
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

func mailSubject(owner, ref string) string { return mailPrefix + owner + "." + ref }
func mailFilter(owner string) string       { return mailPrefix + owner + ".*" }

// splitSubject returns the owner and ref of a mail subject.
func splitSubject(subj string) (owner, ref string, ok bool) {
	rest, ok := strings.CutPrefix(subj, mailPrefix)
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, ".")
}

// Put stores m and returns once JetStream has acknowledged it; an accepted
// message survives the process being killed. If a message with the same To
// and ID is still stored, or was put within the last two minutes, Put stores
// nothing and returns that message (as far as it is still readable) with dup
// set. Put is safe to call from many goroutines; throughput grows with them.
func (s *Store) Put(ctx context.Context, m Message) (stored Message, dup bool, err error) {
	if err := s.alive(); err != nil {
		return Message{}, false, err
	}
	now := s.now()
	if err := s.prepare(&m, now); err != nil {
		return Message{}, false, err
	}
	ref := s.root.ref(m.To, m.ID)
	tk := tableKey(m.To, ref)
	epoch := s.epochOf(now)
	ek, err := s.epochKey(ctx, epoch, true)
	if err != nil {
		return Message{}, false, wrapErr("put", err)
	}
	k := newKey()
	s.hook("message", k)
	msg := &nats.Msg{
		Subject: mailSubject(m.To, ref),
		Data:    mailRecord(ek, tk, epoch, m.Expires, k, encodeMessage(m)),
		Header:  nats.Header{},
	}
	clear(k) // the record holds the only copy, wrapped
	ttl := max(m.Expires.Sub(now).Truncate(time.Second)+time.Second, minTTL)
	ack, err := s.publish(ctx, msg,
		jetstream.WithMsgID(ref), // dedupes a retried Put within the window, even after Ack
		jetstream.WithMsgTTL(min(ttl, s.opts.MaxTTL)),
		jetstream.WithExpectLastSequencePerSubject(0), // at most one stored copy, however late the retry
	)
	switch {
	case isWrongLastSeq(err):
		return s.existing(ctx, ref, m, 0), true, nil
	case err != nil:
		return Message{}, false, wrapErr("put", err)
	case ack.Duplicate:
		return s.existing(ctx, ref, m, ack.Sequence), true, nil
	}
	m.Seq = ack.Sequence
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

// existing returns the stored copy that made a Put a duplicate, or m itself
// when that copy has since been acknowledged or cannot be read.
//
// A stored copy is handed to the owner's subscriptions again: the Put that
// stored it may have lost its acknowledgement (a cancelled context, a
// timeout) before it could hand it on, and a subscriber drops what it has
// already seen by ID.
func (s *Store) existing(ctx context.Context, ref string, m Message, seq uint64) Message {
	if got, err := s.Get(ctx, m.To, m.ID); err == nil {
		s.dispatch(ref, got)
		return got
	}
	m.Seq = seq
	return m
}

// openMail decrypts a stored message. A message whose key is gone, or that
// has expired by the store's clock, is errShredded: for every reader it no
// longer exists.
func (s *Store) openMail(ctx context.Context, subj string, data []byte, seq uint64) (Message, error) {
	owner, ref, ok := splitSubject(subj)
	if !ok {
		return Message{}, fmt.Errorf("%w: subject %q", errCorrupt, subj)
	}
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
		return Message{}, fmt.Errorf("%w: message ID does not match its subject", errCorrupt)
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
		seq = raw.Sequence + 1
		m, err := s.openMail(ctx, raw.Subject, raw.Data, raw.Sequence)
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
	raw, err := s.mail.GetLastMsgForSubject(ctx, mailSubject(owner, s.root.ref(owner, id)))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, wrapErr("get", err)
	}
	m, err := s.openMail(ctx, raw.Subject, raw.Data, raw.Sequence)
	if errors.Is(err, errShredded) {
		return Message{}, ErrNotFound
	}
	return m, wrapErr("get", err)
}

// Ack deletes owner's message id, and with it the only copy of its wrapped
// key. It is ErrNotFound when owner has no such message, so a second Ack of
// the same message reports ErrNotFound and changes nothing; another owner's
// mail is never touched.
func (s *Store) Ack(ctx context.Context, owner, id string) error {
	if err := s.alive(); err != nil {
		return err
	}
	if err := checkPrincipal("owner", owner); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return err
	}
	ref := s.root.ref(owner, id)
	found, err := s.removeMail(ctx, owner, ref)
	s.acked(owner, ref)
	if err == nil && !found {
		return ErrNotFound
	}
	return wrapErr("ack", err)
}

// removeMail removes message (owner, ref) from the mail stream and reports
// whether it was there. Without SecureDelete this is one subject purge, which
// finds and removes the message in a single request.
func (s *Store) removeMail(ctx context.Context, owner, ref string) (bool, error) {
	subj := mailSubject(owner, ref)
	if s.opts.SecureDelete {
		raw, err := s.mail.GetLastMsgForSubject(ctx, subj)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return erase(ctx, s.mail, raw.Sequence, true)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, apiTimeout)
		defer cancel()
	}
	req, _ := json.Marshal(struct {
		Filter string `json:"filter"`
	}{subj})
	msg, err := s.nc.RequestWithContext(ctx, "$JS.API.STREAM.PURGE."+mailStream, req)
	if err != nil {
		return false, fmt.Errorf("removing message: %w", err)
	}
	var resp struct {
		Purged uint64              `json:"purged"`
		Error  *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return false, fmt.Errorf("removing message: %w", err)
	}
	if resp.Error != nil {
		return false, fmt.Errorf("removing message: %w", resp.Error)
	}
	return resp.Purged > 0, nil
}
