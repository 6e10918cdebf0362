package theory

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// samples are valid parameters for each model, with and without its optional ones,
// and the JSON keys of MODELS.md the result must have, no more and no fewer.
var samples = []struct {
	model  string
	values map[string]float64
	keys   []string
}{
	{"stage", map[string]float64{"pi": 0.6, "c": 1, "tT": 0.5}, []string{"pistar", "cooperative", "without", "with"}},
	{"spiral", map[string]float64{"pi": 0.6, "pT": 0.2, "pU": 0.8}, []string{"posterior"}},
	{"signal", map[string]float64{"dVT": 2, "dVU": 1, "kT": 1, "kU": 2}, []string{"separating", "g_min"}},
	{"mediator", map[string]float64{"m": 0.3, "kM": 0.1}, []string{"credible", "lo", "hi"}},
	{"mediator", map[string]float64{"m": 0.5, "kM": 0.7}, []string{"credible", "lo", "hi"}},
	{"mediator", map[string]float64{"m": 0.3, "kM": 0.1, "G": 1, "delta": 0.5, "Vc": 2, "Vb": 1}, []string{"credible", "lo", "hi", "honest"}},
	{"advisor", map[string]float64{"p": 0.5, "c1": 0.1, "c2w": 0.3, "c2r": 0.1, "rho": 0.3, "xM": 0.7, "kM": 0.1},
		[]string{"v_w", "v_r", "safe", "risky", "offer", "p_war_without", "threshold", "credible", "p_war_with"}},
	{"fragility", map[string]float64{"pi": 0.8, "c": 1, "tT": 0.5}, []string{"delta_star_without", "delta_star_with"}},
	{"fragility", map[string]float64{"pi": 0.8, "c": 1, "tT": 0.5, "delta": 0.3},
		[]string{"delta_star_without", "delta_star_with", "p_war_without", "p_war_with"}},
	{"capacity", map[string]float64{"pi": 0.8, "c": 1, "tT": 0.5}, []string{"kappa_star_without", "kappa_star_with"}},
	{"capacity", map[string]float64{"pi": 0.8, "c": 1, "tT": 0.5, "kappa": 0.9}, []string{"kappa_star_without", "kappa_star_with"}},
	{"fearon", map[string]float64{"p": 0.5, "cA": 0.1, "cbar": 0.5}, []string{"demand", "p_war"}},
	{"reciprocal-fear", map[string]float64{"mu": 0.2, "d": 0.5, "cbar": 1}, []string{"cutoff", "p_arm", "p_both", "certain"}},
}

func TestModelsList(t *testing.T) {
	var names []string
	for _, m := range Models() {
		names = append(names, m.Name)
		if m.Title == "" || m.Source == "" || len(m.Params) == 0 {
			t.Errorf("model %s is not fully described: %+v", m.Name, m)
		}
		for _, p := range m.Params {
			if p.Meaning == "" {
				t.Errorf("%s.%s has no meaning", m.Name, p.Name)
			}
		}
		if got, ok := Lookup(m.Name); !ok || got.Name != m.Name {
			t.Errorf("Lookup(%q) = %v, %v", m.Name, got.Name, ok)
		}
	}
	want := []string{"stage", "spiral", "signal", "mediator", "advisor", "fragility", "capacity", "fearon", "reciprocal-fear"}
	if !slices.Equal(names, want) {
		t.Errorf("models %v, want %v", names, want)
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup found a model called nope")
	}
}

func TestEvalJSONKeys(t *testing.T) {
	for _, s := range samples {
		m, _ := Lookup(s.model)
		res, err := m.Eval(s.values)
		if err != nil {
			t.Fatalf("%s %v: %v", s.model, s.values, err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range got {
				if !yield(k) {
					return
				}
			}
		})
		if want := slices.Sorted(slices.Values(s.keys)); !slices.Equal(keys, want) {
			t.Errorf("%s %v: JSON keys %v, want %v", s.model, s.values, keys, want)
		}
		if s.model == "stage" {
			for _, arm := range []string{"without", "with"} {
				var o map[string]float64
				if err := json.Unmarshal(got[arm], &o); err != nil {
					t.Fatal(err)
				}
				if len(o) != 4 || !hasKeys(o, "p_war", "p_restraint", "p_exploited", "p_tragic") {
					t.Errorf("stage %s: %v", arm, o)
				}
			}
		}
		var text strings.Builder
		if err := res.WriteText(&text); err != nil || text.Len() == 0 {
			t.Errorf("%s: WriteText: %v, %q", s.model, err, text.String())
		}
	}
}

func hasKeys(m map[string]float64, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// TestEvalMediatorNulls pins the empty interval as null, not 0.
func TestEvalMediatorNulls(t *testing.T) {
	m, _ := Lookup("mediator")
	res, err := m.Eval(map[string]float64{"m": 0.5, "kM": 0.7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	if string(b) != `{"credible":false,"lo":null,"hi":null}` {
		t.Errorf("got %s", b)
	}
}

// TestEvalParamErrors puts each parameter of each model, one at a time, just outside
// its range, and leaves each required one out.
func TestEvalParamErrors(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range samples {
		if seen[s.model] {
			continue
		}
		seen[s.model] = true
		m, _ := Lookup(s.model)
		full := map[string]float64{}
		for k, v := range s.values {
			full[k] = v
		}
		for _, p := range m.Params { // the optional ones too
			if _, ok := full[p.Name]; !ok {
				full[p.Name] = 0.5 // in every range
			}
		}
		for _, p := range m.Params {
			bad := map[string]float64{}
			for k, v := range full {
				bad[k] = v
			}
			bad[p.Name] = outside(p.Range)
			_, err := m.Eval(bad)
			wantParamError(t, err, p.Name, p.Range.String())

			if !p.Optional {
				delete(bad, p.Name)
				_, err = m.Eval(bad)
				wantParamError(t, err, p.Name, p.Range.String())
				if err != nil && !strings.HasPrefix(err.Error(), "missing parameter "+p.Name) {
					t.Errorf("%s without %s: %v", m.Name, p.Name, err)
				}
			}
		}
		bad := map[string]float64{"bogus": 1}
		for k, v := range full {
			bad[k] = v
		}
		_, err := m.Eval(bad)
		wantParamError(t, err, "bogus", "")
		if err != nil && !strings.Contains(err.Error(), strings.Join(m.ParamNames(), ", ")) {
			t.Errorf("%s: %v does not list the parameters", m.Name, err)
		}
	}
}

// outside returns a value just outside r.
func outside(r Range) float64 {
	switch {
	case r.MinOpen && !math.IsInf(r.Min, 0):
		return r.Min
	case !math.IsInf(r.Min, 0):
		return math.Nextafter(r.Min, math.Inf(-1))
	case r.MaxOpen && !math.IsInf(r.Max, 0):
		return r.Max
	case !math.IsInf(r.Max, 0):
		return math.Nextafter(r.Max, math.Inf(1))
	}
	return math.NaN()
}

func TestEvalMediatorReputationTogether(t *testing.T) {
	m, _ := Lookup("mediator")
	for _, tc := range []struct {
		given   map[string]float64
		missing string
	}{
		{map[string]float64{"G": 1}, "delta"},
		{map[string]float64{"G": 1, "delta": 0.5, "Vc": 1}, "Vb"},
		{map[string]float64{"Vb": 0}, "G"},
	} {
		tc.given["m"], tc.given["kM"] = 0.5, 0
		_, err := m.Eval(tc.given)
		wantParamError(t, err, tc.missing, "")
		if err != nil && !strings.Contains(err.Error(), "go together") {
			t.Errorf("%v: %v", tc.given, err)
		}
	}
}

func TestRange(t *testing.T) {
	for _, tc := range []struct {
		r    Range
		want string
		in   []float64
		out  []float64
	}{
		{unitRange, "[0, 1]", []float64{0, 0.5, 1}, []float64{-1e-300, 1.0000001, math.NaN()}},
		{positiveRange, "(0, inf)", []float64{1e-300, 1e300}, []float64{0, -1, math.Inf(1)}},
		{nonNegRange, "[0, inf)", []float64{0, 5}, []float64{-1e-9, math.Inf(1)}},
		{belowOneRange, "[0, 1)", []float64{0, 0.999999}, []float64{1}},
		{aboveZeroUnit, "(0, 1]", []float64{1, 1e-9}, []float64{0}},
		{realRange, "(-inf, inf)", []float64{-1e300, 0, 1e300}, []float64{math.Inf(-1), math.Inf(1), math.NaN()}},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.r, got, tc.want)
		}
		for _, v := range tc.in {
			if !tc.r.Contains(v) {
				t.Errorf("%s does not contain %g", tc.want, v)
			}
		}
		for _, v := range tc.out {
			if tc.r.Contains(v) {
				t.Errorf("%s contains %g", tc.want, v)
			}
		}
	}
}
