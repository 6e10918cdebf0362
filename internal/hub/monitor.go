package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"backchannel/internal/assurance"
	"backchannel/internal/event"
	"backchannel/internal/indicator"
	"backchannel/internal/scenario"
)

// MaxAssuranceID bounds an assurance id, so that the ids of the messages that
// carry it ("assurance-" and the id) stay within a message id's 64 characters.
const MaxAssuranceID = 48

// spec is an assurance object as a party proposed it.
type spec struct {
	ID, Issuer, Beneficiary, Text string
	fields                        map[string]any
}

func parseSpec(raw json.RawMessage) (*spec, error) {
	if len(raw) == 0 {
		return nil, errors.New("missing; expected an assurance object (id, beneficiary, refrain, ...)")
	}
	var f map[string]any
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("expected a JSON object: %v", err)
	}
	str := func(k string) string { s, _ := f[k].(string); return s }
	s := &spec{ID: str("id"), Issuer: str("issuer"), Beneficiary: str("beneficiary"), Text: str("text"), fields: f}
	if !ValidID(s.ID) || len(s.ID) > MaxAssuranceID {
		return nil, fmt.Errorf("id: %q; expected 1 to %d of A-Z a-z 0-9 . _ -", s.ID, MaxAssuranceID)
	}
	if _, ok := f["withdrawn"]; ok {
		return nil, errors.New("withdrawn: set by the hub when the issuer withdraws, not in a proposal")
	}
	return s, nil
}

// monitor runs the lifecycle engine over the registry's acknowledged
// assurances, the red lines and indicators of the watch file, and the records
// fed to the hub.
type monitor struct {
	h       *Hub
	mu      sync.Mutex
	base    *scenario.Scenario // the watch file, or nil
	records []sourced
}

type sourced struct {
	rec event.Record
	src assurance.Source
}

func newMonitor(h *Hub) *monitor { return &monitor{h: h} }

// Watch loads a scenario or assurance file whose red lines, indicators and
// events the monitor uses.
func (h *Hub) Watch(path string) error {
	s, err := scenario.Load(path)
	if err != nil {
		return err
	}
	if _, err := assurance.Compile(s); err != nil {
		return err
	}
	h.reg.mon.mu.Lock()
	h.reg.mon.base = s
	h.reg.mon.mu.Unlock()
	for _, f := range s.EventFiles {
		if _, _, err := h.Feed(f); err != nil {
			return err
		}
	}
	return nil
}

// Feed reads records from an event file (any supported format) into the
// monitor, then evaluates. It returns how many records were read and how
// many lines were rejected.
func (h *Hub) Feed(path string) (int, int, error) {
	f, err := event.Open(path, "")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var got []sourced
	rejected := 0
	for {
		var r event.Record
		err := f.Next(&r)
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *event.LineError
			if errors.As(err, &le) {
				rejected++
				h.log.Warn("feed: line rejected", "file", le.File, "line", le.Line, "reason", le.Reason)
				continue
			}
			return 0, rejected, err
		}
		src := assurance.Source{}
		src.File, src.Line = f.Where()
		if r.Kind == event.KindEvent {
			src.ID = r.Event.ID
		}
		got = append(got, sourced{r, src})
	}
	m := h.reg.mon
	m.mu.Lock()
	m.records = append(m.records, got...)
	slices.SortStableFunc(m.records, func(a, b sourced) int { return a.rec.Time().Compare(b.rec.Time()) })
	m.mu.Unlock()
	h.reg.evaluate(context.Background())
	return len(got), rejected, nil
}

// document builds the assurance file the engine compiles: the watch file's
// red lines, indicators and start, with the given assurances.
func (m *monitor) document(assurances []map[string]any, start time.Time) ([]byte, error) {
	doc := map[string]any{"assurances": assurances}
	if m.base != nil {
		if !m.base.Start.IsZero() && m.base.Start.Before(start) {
			start = m.base.Start
		}
		if m.base.Redlines != nil {
			var rl any
			if err := m.base.Redlines.Decode(&rl); err != nil {
				return nil, err
			}
			doc["redlines"] = rl
		}
		if len(m.base.Indicators) > 0 {
			ind := map[string]float64{}
			for _, i := range m.base.Indicators {
				ind[i.Name] = i.Value
			}
			doc["indicators"] = ind
		}
	}
	doc["start"] = start.UTC().Format(time.RFC3339)
	return json.Marshal(doc)
}

func (m *monitor) compile(assurances []map[string]any, start time.Time) (*assurance.Set, error) {
	m.mu.Lock()
	data, err := m.document(assurances, start)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s, err := scenario.Parse("registry", data)
	if err != nil {
		return nil, err
	}
	return assurance.Compile(s)
}

// validate compiles one proposed assurance on its own (reciprocal links are
// checked when both are acknowledged).
func (m *monitor) validate(ctx context.Context, fields map[string]any) error {
	one := maps(fields)
	delete(one, "reciprocal")
	_, err := m.compile([]map[string]any{one}, m.h.cfg.Now())
	return err
}

func maps(f map[string]any) map[string]any {
	out := make(map[string]any, len(f))
	for k, v := range f {
		out[k] = v
	}
	return out
}

// run evaluates every acknowledged assurance and records and notifies each
// change of status.
func (m *monitor) run(ctx context.Context, r *registry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	all, err := r.all(ctx)
	if err != nil {
		return err
	}
	var list []map[string]any
	byID := map[string]*Entry{}
	start := m.h.cfg.Now()
	for _, e := range all {
		if e.Acknowledged == nil {
			continue
		}
		var f map[string]any
		if err := json.Unmarshal(e.Spec, &f); err != nil {
			return err
		}
		from := *e.Acknowledged
		if s, ok := f["from"].(string); ok {
			if t, err := parseWhen(s); err == nil && t.After(from) {
				from = t
			}
		}
		f["from"] = from.UTC().Format(time.RFC3339)
		if e.Withdrawn != nil {
			f["withdrawn"] = e.Withdrawn.UTC().Format(time.RFC3339)
		}
		if until, ok := f["until"].(string); ok {
			if t, err := parseWhen(until); err == nil && !t.After(from) {
				delete(f, "until") // expired before it could start; the engine refuses that
				f["withdrawn"] = f["from"]
			}
		}
		if rec, ok := f["reciprocal"].(string); ok {
			if o := findAck(all, rec); o == nil {
				delete(f, "reciprocal")
			}
		}
		if from.Before(start) {
			start = from
		}
		list = append(list, f)
		byID[e.ID] = e
	}
	if len(list) == 0 {
		return nil
	}
	set, err := m.compile(list, start)
	if err != nil {
		return err
	}
	eng, err := assurance.NewEngine(set, indicator.Options{})
	if err != nil {
		return err
	}
	m.mu.Lock()
	recs := slices.Clone(m.records)
	m.mu.Unlock()
	now := m.h.cfg.Now()
	for i := range recs {
		if recs[i].rec.Time().After(now) {
			break
		}
		if err := eng.Step(&recs[i].rec, recs[i].src); err != nil {
			return err
		}
	}
	res := eng.Finish(now)
	for _, a := range res.Assurances {
		e := byID[a.ID]
		if e == nil || string(a.Status) == e.Status {
			continue
		}
		if assurance.Status(e.Status).Terminal() {
			// Final as stored: nothing leaves a final status, and the
			// records that led to it may be gone (fed records are kept in
			// memory only; a restarted hub has none of them). Without this,
			// a breach would turn back into in_force and be announced so.
			continue
		}
		e.Status, e.StatusSince, e.StatusNote = string(a.Status), a.Since, describe(a.Trigger)
		if err := r.put(ctx, e); err != nil {
			return err
		}
		text := fmt.Sprintf("assurance %s (%s to %s) is now %s", e.ID, e.Issuer, e.Beneficiary, a.Status)
		if e.StatusNote != "" {
			text += ": " + e.StatusNote
		}
		r.notify(ctx, e, text, e.Issuer, e.Beneficiary, m.h.Mediator())
	}
	for _, rl := range res.Redlines {
		if !rl.Crossed {
			continue
		}
		key := "redline." + rl.ID
		if _, err := m.h.cfg.Store.RegistryGet(ctx, key); err == nil {
			continue
		}
		if err := m.h.cfg.Store.RegistryPut(ctx, key, []byte(rl.Time.UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		text := fmt.Sprintf("red line %s (%s against %s) crossed on %s: %s", rl.ID, rl.Owner, rl.Against, rl.Time.UTC().Format(time.DateOnly), describe(rl.Trigger))
		to := []string{m.h.Mediator()}
		for _, code := range []string{rl.Owner, rl.Against} {
			if m.h.Members().Parties[code] != nil {
				to = append(to, code)
			}
		}
		r.notify(ctx, &Entry{ID: rl.ID}, text, to...)
	}
	return nil
}

func findAck(all []*Entry, id string) *Entry {
	for _, e := range all {
		if e.ID == id && e.Acknowledged != nil {
			return e
		}
	}
	return nil
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

func describe(t *assurance.Trigger) string {
	if t == nil {
		return ""
	}
	s := t.Condition
	if t.Assurance != "" {
		s += " (reciprocal " + t.Assurance + ")"
	}
	if t.File != "" && t.File != "registry" {
		s += fmt.Sprintf(" [%s:%d %s]", t.File, t.Line, t.ID)
	}
	if t.Note != "" {
		s += " " + t.Note
	}
	return s
}
