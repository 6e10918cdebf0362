package theory

import "testing"

func TestMediatorInterval(t *testing.T) {
	for _, tc := range []struct {
		kM     float64
		lo, hi float64
		ok     bool
	}{
		{0, 0.25, 0.75, true},         // MODELS.md check
		{0.1, 0.30, 0.70, true},       // MODELS.md check: 1/4 + 0.05, 3/4 - 0.05
		{0.2, 0.35, 0.65, true},       // 1/4 + 0.1, 3/4 - 0.1
		{0.3, 0.40, 0.60, true},       // 1/4 + 0.15, 3/4 - 0.15
		{0.5, 0.5, 0.5, true},         // the single point 1/2
		{0.5 + 5e-10, 0.5, 0.5, true}, // within the tolerance of 1/2
		{0.5 + 2e-9, 0, 0, false},     // beyond it: empty
		{0.6, 0, 0, false},            // 0.55 > 0.45
		{3, 0, 0, false},
	} {
		lo, hi, ok := MediatorInterval(tc.kM)
		if ok != tc.ok {
			t.Errorf("MediatorInterval(%g) ok = %v, want %v", tc.kM, ok, tc.ok)
			continue
		}
		if ok {
			checkNear(t, "lo", lo, tc.lo)
			checkNear(t, "hi", hi, tc.hi)
		}
	}
}

func TestMediatorCredible(t *testing.T) {
	for _, tc := range []struct {
		m, kM float64
		want  bool
	}{
		{0.5, 0, true},
		{0.25, 0, true},         // the lower bound is inclusive
		{0.25 - 5e-10, 0, true}, // within the tolerance
		{0.25 - 2e-9, 0, false}, // beyond it
		{0.75, 0, true},
		{0.75 + 5e-10, 0, true},
		{0.75 + 2e-9, 0, false},
		// m = 0.2, kM = 0: u(DD) = -0.3 < u(CD) = -0.2, it would lie to spare A.
		{0.2, 0, false},
		{0.3, 0.1, true}, // 1/4 + 0.05, computed as 0.30000000000000004
		{0.7, 0.1, true},
		{0.29, 0.1, false},
		{0.5, 0.5, true},
		{0.5, 0.6, false}, // cares too much about peace: never credible
		{0, 0, false},     // A's own position: it would lie for A
		{1, 0, false},
	} {
		if got := MediatorCredible(tc.m, tc.kM); got != tc.want {
			t.Errorf("MediatorCredible(%g, %g) = %v, want %v", tc.m, tc.kM, got, tc.want)
		}
	}
}

func TestMediatorHonest(t *testing.T) {
	for _, tc := range []struct {
		G, delta, Vc, Vb float64
		want             bool
	}{
		{1, 0.5, 2, 1, true},         // 0.5/0.5 * 1 = 1 >= 1: inclusive
		{1.1, 0.5, 2, 1, false},      // 1.1 > 1
		{1 + 5e-10, 0.5, 2, 1, true}, // within Tol above the bound: on it
		{1 - 5e-10, 0.5, 2, 1, true},
		{1 + 1e-8, 0.5, 2, 1, false}, // beyond Tol above: lying pays
		{1 - 1e-8, 0.5, 2, 1, true},
		{5, 0.9, 1, 0, true},        // 9 * 1 = 9 >= 5
		{0, 0, 0, 0, true},          // 0 >= 0
		{0.1, 0, 10, 0, false},      // an impatient mediator: the future is worth 0
		{1, 0.75, 0.5, 0.25, false}, // 3 * 0.25 = 0.75 < 1
		{1, 0.5, 0, 1, false},       // a reputation worth less than none: -1 < 1
		{1, 0.8, 1.25, 1, true},     // 4 * 0.25 = 1, computed as 1.0000000000000002
	} {
		if got := MediatorHonest(tc.G, tc.delta, tc.Vc, tc.Vb); got != tc.want {
			t.Errorf("MediatorHonest(%g, %g, %g, %g) = %v, want %v", tc.G, tc.delta, tc.Vc, tc.Vb, got, tc.want)
		}
	}
}

func TestMediatorResult(t *testing.T) {
	r, err := Mediator(0.3, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Credible || r.Lo == nil || !near(*r.Lo, 0.3) || !near(*r.Hi, 0.7) || r.Honest != nil {
		t.Errorf("Mediator(0.3, 0.1) = %+v", r)
	}
	r, err = Mediator(0.5, 0.6)
	if err != nil {
		t.Fatal(err)
	}
	if r.Credible || r.Lo != nil || r.Hi != nil {
		t.Errorf("Mediator(0.5, 0.6) = %+v, want not credible with no interval", r)
	}
	r, err = MediatorReputation(0.5, 0, 1.1, 0.5, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Credible || r.Honest == nil || *r.Honest {
		t.Errorf("MediatorReputation(0.5, 0, 1.1, 0.5, 2, 1) = %+v, want credible, not honest", r)
	}

	_, err = Mediator(1.5, 0)
	wantParamError(t, err, "m", "[0, 1]")
	_, err = Mediator(0.5, -0.1)
	wantParamError(t, err, "kM", "[0, inf)")
	_, err = MediatorReputation(0.5, 0, -1, 0.5, 1, 0)
	wantParamError(t, err, "G", "[0, inf)")
	_, err = MediatorReputation(0.5, 0, 1, 1, 1, 0)
	wantParamError(t, err, "delta", "[0, 1)")
}
