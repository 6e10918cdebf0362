package hub

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"backchannel/internal/localapi"
	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// NewID returns a fresh message id.
func NewID(prefix string) string {
	return prefix + "-" + strings.ToLower(rand.Text()[:16])
}

func toItem(m store.Message) localapi.Item {
	var w wire.Message
	_ = json.Unmarshal(m.Body, &w)
	return localapi.Item{ID: m.ID, From: m.From, To: m.To, Kind: m.Kind, Text: w.Text, Sent: m.Created, Expires: m.Expires, Assurance: w.Assurance}
}

// Inbox lists the mediator's messages: what parties sent, proposals, notices.
func (h *Hub) Inbox(ctx context.Context) ([]localapi.Item, error) {
	ms, err := h.cfg.Store.List(ctx, h.Mediator())
	if err != nil {
		return nil, err
	}
	out := make([]localapi.Item, 0, len(ms))
	for _, m := range ms {
		out = append(out, toItem(m))
	}
	return out, nil
}

// Convey stores a new message of the mediator's own for a party. quote, when
// set, is the id of an inbox message whose text the mediator chooses to quote.
func (h *Hub) Convey(ctx context.Context, req localapi.SendRequest) (string, error) {
	m := h.Members()
	if m.Parties[req.To] == nil {
		return "", refuse(wire.CodeNotFound, "to: %q is not an enrolled party (%s)", req.To, strings.Join(m.Codes(), ", "))
	}
	text := req.Text
	if req.Quote != "" {
		q, err := h.cfg.Store.Get(ctx, m.Mediator, req.Quote)
		if err != nil {
			return "", fmt.Errorf("quote %s: %w", req.Quote, err)
		}
		qt := toItem(q).Text
		text = "> " + strings.ReplaceAll(qt, "\n", "\n> ") + "\n\n" + text
	}
	if strings.TrimSpace(text) == "" {
		return "", refuse(wire.CodeBadFrame, "text: empty; expected the words to convey")
	}
	id := NewID("m")
	err := h.put(ctx, m.Mediator, req.To, wire.KindConveyed, &wire.Message{ID: id, Text: text, TTL: req.TTL})
	return id, err
}

// API returns the operator's local API (the mediator's desk).
func (h *Hub) API() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		st, err := h.Status(r.Context())
		if err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, st)
	})
	mux.HandleFunc("GET /inbox", func(w http.ResponseWriter, r *http.Request) {
		items, err := h.Inbox(r.Context())
		if err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, items)
	})
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		m, err := h.cfg.Store.Get(r.Context(), h.Mediator(), r.URL.Query().Get("id"))
		if err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, toItem(m))
	})
	mux.HandleFunc("POST /delete", func(w http.ResponseWriter, r *http.Request) {
		var req localapi.IDRequest
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		if err := h.cfg.Store.Ack(r.Context(), h.Mediator(), req.ID); err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, map[string]string{"deleted": req.ID})
	})
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		var req localapi.SendRequest
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		id, err := h.Convey(r.Context(), req)
		if err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, localapi.SendReply{ID: id, State: "accepted"})
	})
	mux.HandleFunc("POST /convey-assurance", func(w http.ResponseWriter, r *http.Request) {
		var req localapi.IDRequest
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		e, err := h.reg.convey(r.Context(), req.ID, req.Text)
		if err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, e)
	})
	mux.HandleFunc("GET /assurances", func(w http.ResponseWriter, r *http.Request) {
		all, err := h.reg.all(r.Context())
		if err != nil {
			apiError(w, err)
			return
		}
		localapi.WriteJSON(w, all)
	})
	mux.HandleFunc("POST /feed", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Path string `json:"path"`
		}
		if !localapi.ReadJSON(w, r, &req) {
			return
		}
		n, rej, err := h.Feed(req.Path)
		if err != nil {
			localapi.WriteError(w, http.StatusBadRequest, wire.CodeBadFrame, "%v", err)
			return
		}
		localapi.WriteJSON(w, map[string]int{"records": n, "rejected": rej})
	})
	return mux
}

func apiError(w http.ResponseWriter, err error) {
	var re *reqError
	switch {
	case errors.As(err, &re):
		status := http.StatusBadRequest
		switch re.code {
		case wire.CodeNotFound:
			status = http.StatusNotFound
		case wire.CodeConflict, wire.CodeForbidden:
			status = http.StatusConflict
		}
		localapi.WriteError(w, status, re.code, "%s", re.msg)
	case errors.Is(err, store.ErrNotFound):
		localapi.WriteError(w, http.StatusNotFound, wire.CodeNotFound, "%v", err)
	case errors.Is(err, store.ErrInvalid):
		localapi.WriteError(w, http.StatusBadRequest, wire.CodeBadFrame, "%v", err)
	default:
		localapi.WriteError(w, http.StatusInternalServerError, wire.CodeInternal, "%v", err)
	}
}

// PartyStatus is one party as the mediator's status shows it.
type PartyStatus struct {
	Code      string   `json:"code"`
	Key       string   `json:"key"`
	Channels  []string `json:"channels"`
	Connected bool     `json:"connected"`
	Queued    int      `json:"queued"`
}

// HubStatus is the mediator's view.
type HubStatus struct {
	Mediator   string        `json:"mediator"`
	Key        string        `json:"key"`
	Time       time.Time     `json:"time"`
	Inbox      int           `json:"inbox"`
	Parties    []PartyStatus `json:"parties"`
	Assurances []*Entry      `json:"assurances"`
}

// Status reports sessions, queued messages and assurances.
func (h *Hub) Status(ctx context.Context) (*HubStatus, error) {
	m := h.Members()
	inbox, err := h.cfg.Store.List(ctx, m.Mediator)
	if err != nil {
		return nil, err
	}
	conn := h.Connected()
	st := &HubStatus{Mediator: m.Mediator, Key: h.cfg.Key.Public().String(), Time: h.cfg.Now(), Inbox: len(inbox)}
	for _, code := range m.Codes() {
		p := m.Parties[code]
		q, err := h.cfg.Store.List(ctx, code)
		if err != nil {
			return nil, err
		}
		st.Parties = append(st.Parties, PartyStatus{Code: code, Key: p.Key.String(), Channels: p.Channels, Connected: slices.Contains(conn, code), Queued: len(q)})
	}
	st.Assurances, err = h.reg.all(ctx)
	return st, err
}
