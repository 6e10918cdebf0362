package desk

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"backchannel/internal/identity"
	"backchannel/internal/localapi"
	"backchannel/internal/sealed"
	"backchannel/internal/wire"
)

func newID() string { return "m-" + strings.ToLower(rand.Text()[:16]) }

// Send queues a message (to the mediator, or sealed to a party) and sends it
// at once when there is a session. The reply says whether the hub accepted it
// or it waits in the outbox.
func (d *Desk) Send(ctx context.Context, req localapi.SendRequest) (localapi.SendReply, error) {
	if strings.TrimSpace(req.Text) == "" {
		return localapi.SendReply{}, errors.New("text: empty; expected the words to send")
	}
	msg := &wire.Message{ID: newID(), Text: req.Text, TTL: req.TTL}
	f := &wire.Frame{Type: wire.TypeSend, Msg: msg}
	if req.Sealed {
		if err := d.seal(ctx, req, msg); err != nil {
			return localapi.SendReply{}, err
		}
		f.Type = wire.TypeSealed
	} else if req.To != "" {
		d.mu.Lock()
		med := d.st.Mediator
		d.mu.Unlock()
		if req.To != med {
			return localapi.SendReply{}, fmt.Errorf("to: %s; a desk sends only to the mediator (%s), or sealed to a party with --sealed", req.To, med)
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return localapi.SendReply{}, err
	}
	ttl := time.Duration(req.TTL) * time.Second
	if ttl <= 0 {
		ttl = 72 * time.Hour
	}
	it := queued{ID: msg.ID, Type: f.Type, Frame: b, Expires: d.cfg.Now().Add(ttl)}
	d.mu.Lock()
	d.st.Outbox = append(d.st.Outbox, it)
	err = d.saveLocked()
	d.mu.Unlock()
	if err != nil {
		return localapi.SendReply{}, err
	}
	if err := d.sendQueued(ctx, it); err != nil {
		var he *HubError
		if errors.As(err, &he) {
			return localapi.SendReply{}, err
		}
		return localapi.SendReply{ID: msg.ID, State: "queued"}, nil
	}
	return localapi.SendReply{ID: msg.ID, State: "accepted"}, nil
}

// seal fetches a one-time key of the recipient and encrypts the text to it.
func (d *Desk) seal(ctx context.Context, req localapi.SendRequest, msg *wire.Message) error {
	d.mu.Lock()
	ks, ok := d.st.Peers[req.To]
	d.mu.Unlock()
	if !ok {
		return fmt.Errorf("to: %q is not a party the mediator introduced to this desk", req.To)
	}
	peer, err := identity.ParsePublic(ks)
	if err != nil {
		return err
	}
	r, err := d.request(ctx, &wire.Frame{Type: wire.TypePeerKey, Peer: req.To})
	if err != nil {
		return fmt.Errorf("a sealed message needs a one-time key of %s from the hub: %w", req.To, err)
	}
	pk := r.PeerKey
	if pk == nil || pk.Static != ks {
		return fmt.Errorf("the hub answered with a key for %s that differs from the one it introduced", req.To)
	}
	enc, ct, err := sealed.Seal(d.cfg.Key, peer, pk.KID, pk.Pub, pk.Tag, req.Text, d.cfg.Now())
	if err != nil {
		return err
	}
	msg.To, msg.Text = req.To, ""
	msg.Sealed = &wire.Sealed{KID: pk.KID, Enc: enc, CT: ct}
	return nil
}

// DeskStatus is what `backchannel status` shows at a party's desk.
type DeskStatus struct {
	Me        string          `json:"me"`
	Mediator  string          `json:"mediator"`
	Key       string          `json:"key"`
	Hub       string          `json:"hub"`
	Connected bool            `json:"connected"`
	Inbox     int             `json:"inbox"`
	Unread    int             `json:"unread"`
	Outbox    int             `json:"outbox"`
	OneTime   int             `json:"one_time_keys"`
	Peers     []string        `json:"peers"`
	FromHub   json.RawMessage `json:"hub_status,omitempty"`
}

// Status reports the session, the local state and, when connected, the hub's
// view of this party (queued mail, assurances).
func (d *Desk) Status(ctx context.Context) DeskStatus {
	d.mu.Lock()
	st := DeskStatus{Me: d.st.Me, Mediator: d.st.Mediator, Key: d.cfg.Key.Public().String(), Hub: d.cfg.HubAddr,
		Connected: d.conn != nil, Inbox: len(d.st.Inbox), Outbox: len(d.st.Outbox), OneTime: len(d.st.OneTime)}
	for _, it := range d.st.Inbox {
		if !it.Read {
			st.Unread++
		}
	}
	for p := range d.st.Peers {
		st.Peers = append(st.Peers, p)
	}
	d.mu.Unlock()
	if r, err := d.request(ctx, &wire.Frame{Type: wire.TypeStatus}); err == nil {
		st.FromHub = r.Status
	}
	return st
}

// API returns the desk's local API.
func (d *Desk) API() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		localapi.WriteJSON(w, d.Status(r.Context()))
	})
	mux.HandleFunc("GET /inbox", func(w http.ResponseWriter, r *http.Request) {
		d.expireNow()
		d.mu.Lock()
		items := append([]localapi.Item{}, d.st.Inbox...)
		d.mu.Unlock()
		localapi.WriteJSON(w, items)
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		d.mu.Lock()
		defer d.mu.Unlock()
		for i := range d.st.Inbox {
			if d.st.Inbox[i].ID == id && d.st.Inbox[i].Expires.After(d.cfg.Now()) {
				if !d.st.Inbox[i].Read {
					d.st.Inbox[i].Read = true
					_ = d.saveLocked()
				}
				localapi.WriteJSON(w, d.st.Inbox[i])
				return
			}
		}
		localapi.WriteError(w, http.StatusNotFound, wire.CodeNotFound, "no message %q in this desk's inbox", id)
	})
	mux.HandleFunc("POST /delete", func(w http.ResponseWriter, r *http.Request) {
		var req localapi.IDRequest
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, it := range d.st.Inbox {
			if it.ID == req.ID {
				d.st.Inbox = append(d.st.Inbox[:i], d.st.Inbox[i+1:]...)
				if err := d.saveLocked(); err != nil {
					localapi.WriteError(w, http.StatusInternalServerError, wire.CodeInternal, "%v", err)
					return
				}
				localapi.WriteJSON(w, map[string]string{"deleted": req.ID})
				return
			}
		}
		localapi.WriteError(w, http.StatusNotFound, wire.CodeNotFound, "no message %q in this desk's inbox", req.ID)
	})
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		var req localapi.SendRequest
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		rep, err := d.Send(r.Context(), req)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, rep)
	})
	mux.HandleFunc("POST /propose", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Assurance json.RawMessage `json:"assurance"`
		}
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		rep, err := d.request(r.Context(), &wire.Frame{Type: wire.TypePropose, Assurance: req.Assurance})
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, map[string]string{"id": rep.ID, "state": "proposed"})
	})
	for _, verb := range []string{wire.TypeAcknowledge, wire.TypeWithdraw} {
		mux.HandleFunc("POST /"+verb, func(w http.ResponseWriter, r *http.Request) {
			var req localapi.IDRequest
			if !localapi.ReadJSON(w, r, &req) {
				return
			}
			if _, err := d.request(r.Context(), &wire.Frame{Type: verb, ID: req.ID}); err != nil {
				writeErr(w, err)
				return
			}
			localapi.WriteJSON(w, map[string]string{"id": req.ID, "done": verb})
		})
	}
	mux.HandleFunc("GET /safety", func(w http.ResponseWriter, r *http.Request) {
		peer := r.URL.Query().Get("peer")
		d.mu.Lock()
		ks, ok := d.st.Peers[peer]
		d.mu.Unlock()
		pk, err := identity.ParsePublic(ks)
		if !ok || err != nil {
			localapi.WriteError(w, http.StatusNotFound, wire.CodeNotFound, "no key for %q: the mediator introduces the parties you share a channel with when the desk connects", peer)
			return
		}
		localapi.WriteJSON(w, map[string]string{"peer": peer, "peer_key": ks, "key": d.cfg.Key.Public().String(), "safety_number": sealed.SafetyNumber(d.cfg.Key.Public(), pk)})
	})
	return mux
}

func writeErr(w http.ResponseWriter, err error) {
	var he *HubError
	switch {
	case errors.Is(err, ErrOffline):
		localapi.WriteError(w, http.StatusServiceUnavailable, "offline", "%v; is the hub running and this desk enrolled?", err)
	case errors.As(err, &he):
		localapi.WriteError(w, hubStatus(he.Code), he.Code, "%s", he.Msg)
	default:
		localapi.WriteError(w, http.StatusBadRequest, wire.CodeBadFrame, "%v", err)
	}
}

// hubStatus is the local API's HTTP status for a hub's error code.
func hubStatus(code string) int {
	switch code {
	case wire.CodeNotFound:
		return http.StatusNotFound
	case wire.CodeForbidden:
		return http.StatusForbidden
	case wire.CodeConflict:
		return http.StatusConflict
	case wire.CodeRateLimited:
		return http.StatusTooManyRequests
	case wire.CodeExhausted:
		return http.StatusServiceUnavailable
	case wire.CodeInternal:
		return http.StatusBadGateway
	}
	return http.StatusBadRequest
}
