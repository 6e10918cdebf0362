package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// Entry is an assurance in the hub's registry: the object as proposed (with the
// mediator set as via), where it stands on the channel, and what the lifecycle
// engine last said of it.
type Entry struct {
	ID          string          `json:"id"`
	Issuer      string          `json:"issuer"`
	Beneficiary string          `json:"beneficiary"`
	Spec        json.RawMessage `json:"spec"`
	// State is the channel state: proposed, conveyed, acknowledged, withdrawn.
	State        string     `json:"state"`
	Proposed     time.Time  `json:"proposed"`
	Conveyed     *time.Time `json:"conveyed,omitempty"`
	Acknowledged *time.Time `json:"acknowledged,omitempty"`
	Withdrawn    *time.Time `json:"withdrawn,omitempty"`
	// Status is the engine's status once acknowledged (in_force, lapsed, ...),
	// with the time and reason of its last change.
	Status      string    `json:"status,omitempty"`
	StatusSince time.Time `json:"status_since,omitzero"`
	StatusNote  string    `json:"status_note,omitempty"`
}

// Channel states of an entry.
const (
	StateProposed     = "proposed"
	StateConveyed     = "conveyed"
	StateAcknowledged = "acknowledged"
	StateWithdrawn    = "withdrawn"
)

// Shown is the status to show: the engine's once it has one, else the channel's.
func (e *Entry) Shown() string {
	if e.Status != "" {
		return e.Status
	}
	return e.State
}

const regPrefix = "asr."

// registry keeps entries in the store's registry table. It also holds the
// hub's state for the one-time keys kept in that table.
type registry struct {
	h    *Hub
	mu   sync.Mutex // serializes read-modify-write of entries
	mon  *monitor
	keys *oneTimeKeys
}

func newRegistry(h *Hub) *registry {
	return &registry{h: h, mon: newMonitor(h), keys: newOneTimeKeys(h.cfg.PeerKeys)}
}

func (r *registry) get(ctx context.Context, id string) (*Entry, error) {
	b, err := r.h.cfg.Store.RegistryGet(ctx, regPrefix+id)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("registry entry %s: %w", id, err)
	}
	return &e, nil
}

func (r *registry) put(ctx context.Context, e *Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return r.h.cfg.Store.RegistryPut(ctx, regPrefix+e.ID, b)
}

// all returns every entry, by id.
func (r *registry) all(ctx context.Context) ([]*Entry, error) {
	m, err := r.h.cfg.Store.RegistryList(ctx, regPrefix)
	if err != nil {
		return nil, err
	}
	out := make([]*Entry, 0, len(m))
	for k, b := range m {
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("registry entry %s: %w", strings.TrimPrefix(k, regPrefix), err)
		}
		out = append(out, &e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// involving returns the entries a party issued or benefits from.
func (r *registry) involving(ctx context.Context, code string) ([]*Entry, error) {
	all, err := r.all(ctx)
	if err != nil {
		return nil, err
	}
	out := []*Entry{}
	for _, e := range all {
		if e.Issuer == code || e.Beneficiary == code && e.State != StateProposed {
			out = append(out, e)
		}
	}
	return out, nil
}

// propose records a party's assurance. The issuer is the proposing party; the
// beneficiary must share a channel with it. The mediator finds the proposal in
// its inbox.
func (r *registry) propose(ctx context.Context, code string, raw json.RawMessage) (string, error) {
	spec, err := parseSpec(raw)
	if err != nil {
		return "", refuse(wire.CodeBadFrame, "assurance: %v", err)
	}
	if spec.Issuer == "" {
		spec.Issuer = code
	}
	if spec.Issuer != code {
		return "", refuse(wire.CodeForbidden, "assurance.issuer: %s; a party proposes only its own assurances (%s)", spec.Issuer, code)
	}
	if !r.h.Members().SharesChannel(code, spec.Beneficiary) {
		return "", refuse(wire.CodeBadFrame, "assurance.beneficiary: %q is not a party sharing a channel with %s", spec.Beneficiary, code)
	}
	spec.fields["issuer"] = code
	spec.fields["via"] = r.h.Mediator()
	if err := r.mon.validate(ctx, spec.fields); err != nil {
		return "", refuse(wire.CodeBadFrame, "assurance: %v", err)
	}
	b, err := json.Marshal(spec.fields)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, err := r.get(ctx, spec.ID); err == nil {
		if old.Issuer != code || old.State != StateProposed {
			return "", refuse(wire.CodeConflict, "assurance.id: %s is already in the registry (%s); choose another id", spec.ID, old.Shown())
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	now := r.h.cfg.Now()
	e := &Entry{ID: spec.ID, Issuer: code, Beneficiary: spec.Beneficiary, Spec: b, State: StateProposed, Proposed: now}
	if err := r.put(ctx, e); err != nil {
		return "", err
	}
	note := &wire.Message{ID: "proposal-" + spec.ID, Text: fmt.Sprintf("%s proposes assurance %s to %s: %s", code, spec.ID, spec.Beneficiary, spec.Text), Assurance: b}
	if err := r.h.put(ctx, code, r.h.Mediator(), wire.KindProposal, note); err != nil {
		return "", err
	}
	return spec.ID, nil
}

// convey is the mediator's act: it passes a proposed assurance to its
// beneficiary, in the mediator's words when text is given.
func (r *registry) convey(ctx context.Context, id, text string) (*Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, err := r.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.State != StateProposed {
		return nil, refuse(wire.CodeConflict, "assurance %s is %s; only a proposed assurance can be conveyed", id, e.Shown())
	}
	now := r.h.cfg.Now()
	e.State, e.Conveyed = StateConveyed, &now
	if text == "" {
		var f map[string]any
		_ = json.Unmarshal(e.Spec, &f)
		text, _ = f["text"].(string)
	}
	msg := &wire.Message{ID: "assurance-" + id, Text: text, Assurance: e.Spec}
	if err := r.h.put(ctx, r.h.Mediator(), e.Beneficiary, wire.KindAssurance, msg); err != nil {
		return nil, err
	}
	return e, r.put(ctx, e)
}

// acknowledge is the beneficiary's act on a conveyed assurance.
func (r *registry) acknowledge(ctx context.Context, code, id string) error {
	r.mu.Lock()
	e, err := r.get(ctx, id)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	if e.Beneficiary != code || e.State == StateProposed {
		r.mu.Unlock()
		return refuse(wire.CodeNotFound, "assurance %s: none conveyed to %s", id, code)
	}
	if e.State != StateConveyed {
		r.mu.Unlock()
		return refuse(wire.CodeConflict, "assurance %s is %s; only a conveyed assurance can be acknowledged", id, e.Shown())
	}
	now := r.h.cfg.Now()
	e.State, e.Acknowledged = StateAcknowledged, &now
	err = r.put(ctx, e)
	r.mu.Unlock()
	if err != nil {
		return err
	}
	r.notify(ctx, e, fmt.Sprintf("%s acknowledged assurance %s", code, id), e.Issuer)
	r.evaluate(ctx)
	return nil
}

// withdraw is the issuer's act.
func (r *registry) withdraw(ctx context.Context, code, id string) error {
	r.mu.Lock()
	e, err := r.get(ctx, id)
	if err != nil || e.Issuer != code {
		r.mu.Unlock()
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return refuse(wire.CodeNotFound, "assurance %s: none issued by %s", id, code)
		}
		return err
	}
	if e.State == StateWithdrawn {
		r.mu.Unlock()
		return refuse(wire.CodeConflict, "assurance %s is already withdrawn", id)
	}
	was := e.State
	now := r.h.cfg.Now()
	e.State, e.Withdrawn = StateWithdrawn, &now
	err = r.put(ctx, e)
	r.mu.Unlock()
	if err != nil {
		return err
	}
	to := []string{r.h.Mediator()}
	if was != StateProposed {
		to = append(to, e.Beneficiary)
	}
	r.notify(ctx, e, fmt.Sprintf("%s withdrew assurance %s", code, id), to...)
	r.evaluate(ctx)
	return nil
}

// notify drops a notice in the mailboxes of the given principals.
func (r *registry) notify(ctx context.Context, e *Entry, text string, to ...string) {
	for _, code := range to {
		m := &wire.Message{ID: NewID("n"), Text: text, Assurance: e.Spec}
		if err := r.h.put(ctx, r.h.Mediator(), code, wire.KindNotice, m); err != nil {
			r.h.log.Error("a notice could not be stored", "to", code, "assurance", e.ID, "err", err)
		}
	}
}

// evaluate runs the lifecycle engine over the registry and notifies changes.
func (r *registry) evaluate(ctx context.Context) {
	if err := r.mon.run(ctx, r); err != nil {
		r.h.log.Error("monitor", "err", err)
	}
}
