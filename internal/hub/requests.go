package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// MaxText bounds the text of one message.
const MaxText = 32 << 10

var idRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ValidID reports whether s can be a message or key id.
func ValidID(s string) bool { return idRE.MatchString(s) }

// reqError is a refusal with a wire error code.
type reqError struct {
	code string
	msg  string
}

func (e *reqError) Error() string { return e.msg }

func refuse(code, format string, args ...any) error {
	return &reqError{code: code, msg: fmt.Sprintf(format, args...)}
}

// request carries out one request of party code and returns the reply.
func (h *Hub) request(ctx context.Context, code string, f *wire.Frame) *wire.Frame {
	var reply *wire.Frame
	var err error
	switch f.Type {
	case wire.TypeSend:
		err = h.partySend(ctx, code, f.Msg)
	case wire.TypeSealed:
		err = h.partySealed(ctx, code, f.Msg)
	case wire.TypeAck:
		// Sessions hand acks to partyAckFunc themselves (session.ack);
		// this waits for the same answer.
		answer := make(chan *wire.Frame, 1)
		h.partyAckFunc(ctx, code, f, func(r *wire.Frame) { answer <- r })
		select {
		case r := <-answer:
			return r
		case <-ctx.Done():
			err = ctx.Err()
		}
	case wire.TypeDeposit:
		var held *wire.Held
		held, err = h.deposit(ctx, code, f.Keys)
		if err == nil {
			reply = &wire.Frame{Type: wire.TypeOK, Held: held}
		}
	case wire.TypePeerKey:
		var pk *wire.PeerKey
		pk, err = h.peerKey(ctx, code, f.Peer)
		if err == nil {
			reply = &wire.Frame{Type: wire.TypePeerKey, PeerKey: pk}
		}
	case wire.TypePropose:
		var id string
		id, err = h.reg.propose(ctx, code, f.Assurance)
		if err == nil {
			reply = &wire.Frame{Type: wire.TypeOK, ID: id}
		}
	case wire.TypeAcknowledge:
		err = h.reg.acknowledge(ctx, code, f.ID)
	case wire.TypeWithdraw:
		err = h.reg.withdraw(ctx, code, f.ID)
	case wire.TypeStatus:
		var st json.RawMessage
		st, err = h.partyStatus(ctx, code)
		if err == nil {
			reply = &wire.Frame{Type: wire.TypeStatus, Status: st}
		}
	default:
		err = refuse(wire.CodeBadFrame, "frame type %q is not a request a desk can make", f.Type)
	}
	return h.reply(code, f, reply, err)
}

// reply is the answer to request f of party code: reply, or the error err
// as a frame.
func (h *Hub) reply(code string, f, reply *wire.Frame, err error) *wire.Frame {
	if err != nil {
		var re *reqError
		switch {
		case errors.As(err, &re):
			return &wire.Frame{Type: wire.TypeError, Req: f.Req, Code: re.code, Error: re.msg}
		case errors.Is(err, store.ErrNotFound):
			return &wire.Frame{Type: wire.TypeError, Req: f.Req, Code: wire.CodeNotFound, Error: err.Error()}
		case errors.Is(err, store.ErrInvalid):
			return &wire.Frame{Type: wire.TypeError, Req: f.Req, Code: wire.CodeBadFrame, Error: err.Error()}
		}
		h.log.Error("request failed", "party", code, "type", f.Type, "err", err)
		return &wire.Frame{Type: wire.TypeError, Req: f.Req, Code: wire.CodeInternal, Error: "the hub could not do that; try again"}
	}
	if reply == nil {
		reply = &wire.Frame{Type: wire.TypeOK}
		if f.Msg != nil {
			reply.ID = f.Msg.ID
		} else {
			reply.ID = f.ID
		}
	}
	reply.Req = f.Req
	return reply
}

// checkMsg checks the fields every stored message needs.
func checkMsg(m *wire.Message) error {
	if m == nil {
		return refuse(wire.CodeBadFrame, "msg: missing")
	}
	if !ValidID(m.ID) {
		return refuse(wire.CodeBadFrame, "msg.id: %q; expected 1 to 64 of A-Z a-z 0-9 . _ -", m.ID)
	}
	if len(m.Text) > MaxText {
		return refuse(wire.CodeBadFrame, "msg.text: %d bytes, at most %d", len(m.Text), MaxText)
	}
	if m.From != "" || m.Sent != nil || m.Expires != nil {
		return refuse(wire.CodeBadFrame, "msg: from, sent and expires are set by the hub, not the sender")
	}
	return nil
}

// put stores a message with the fields the hub sets.
func (h *Hub) put(ctx context.Context, from, to, kind string, m *wire.Message) error {
	ttl, err := h.ttl(m.TTL)
	if err != nil {
		return refuse(wire.CodeBadFrame, "msg.ttl: %v", err)
	}
	body, err := encodeBody(m)
	if err != nil {
		return err
	}
	now := h.cfg.Now()
	_, _, err = h.cfg.Store.Put(ctx, store.Message{
		ID: m.ID, To: to, From: from, Kind: kind, Body: body,
		Created: now, Expires: now.Add(ttl),
	})
	return err
}

// partySend stores a party's words for the mediator. Parties talk only to the
// mediator: any other recipient is refused.
func (h *Hub) partySend(ctx context.Context, code string, m *wire.Message) error {
	if err := checkMsg(m); err != nil {
		return err
	}
	med := h.Mediator()
	if m.To != "" && m.To != med {
		return refuse(wire.CodeForbidden, "msg.to: %s; a party sends only to the mediator (%s); for end-to-end use a sealed message", m.To, med)
	}
	if m.Text == "" {
		return refuse(wire.CodeBadFrame, "msg.text: empty; expected the words to send")
	}
	if m.Kind != "" && m.Kind != wire.KindText || m.Sealed != nil || len(m.Assurance) > 0 {
		return refuse(wire.CodeBadFrame, "msg: a send carries text only (kind %q); assurances go in a propose frame, sealed messages in a sealed frame", m.Kind)
	}
	return h.put(ctx, code, med, wire.KindText, m)
}

// partySealed routes an end-to-end message to a party sharing a channel.
func (h *Hub) partySealed(ctx context.Context, code string, m *wire.Message) error {
	if err := checkMsg(m); err != nil {
		return err
	}
	if m.Sealed == nil || len(m.Sealed.Enc) == 0 || len(m.Sealed.CT) == 0 || !ValidID(m.Sealed.KID) {
		return refuse(wire.CodeBadFrame, "msg.sealed: expected kid, enc and ct")
	}
	if m.Text != "" || len(m.Assurance) > 0 {
		return refuse(wire.CodeBadFrame, "msg: a sealed message carries only its ciphertext")
	}
	if !h.Members().SharesChannel(code, m.To) {
		return refuse(wire.CodeForbidden, "msg.to: %q is not a party sharing a channel with %s", m.To, code)
	}
	return h.put(ctx, code, m.To, wire.KindSealed, m)
}

// partyAckFunc deletes a delivered message (ack f) from the party's own
// mailbox and calls done with the reply, without waiting for it: the store
// removes acknowledged messages in batches, and an ack waiting for its batch
// holds nothing of the session's (see session.ack).
func (h *Hub) partyAckFunc(ctx context.Context, code string, f *wire.Frame, done func(*wire.Frame)) {
	if !ValidID(f.ID) {
		done(h.reply(code, f, nil, refuse(wire.CodeBadFrame, "id: %q is not a message id", f.ID)))
		return
	}
	h.cfg.Store.AckFunc(ctx, code, f.ID, func(err error) { done(h.reply(code, f, nil, err)) })
}

func (h *Hub) partyStatus(ctx context.Context, code string) (json.RawMessage, error) {
	queued, err := h.cfg.Store.List(ctx, code)
	if err != nil {
		return nil, err
	}
	otks, err := h.cfg.Store.RegistryList(ctx, otkPrefix(code))
	if err != nil {
		return nil, err
	}
	as, err := h.reg.involving(ctx, code)
	if err != nil {
		return nil, err
	}
	peers := []string{}
	for _, p := range h.Members().Peers(code) {
		peers = append(peers, p.Code)
	}
	sort.Strings(peers)
	return json.Marshal(map[string]any{
		"party":          code,
		"mediator":       h.Mediator(),
		"peers":          peers,
		"queued_for_you": len(queued),
		"one_time_keys":  len(otks),
		"assurances":     as,
	})
}

func otkPrefix(code string) string { return "otk." + strings.ToLower(code) + "." }
