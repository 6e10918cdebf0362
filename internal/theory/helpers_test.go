package theory

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// near reports whether got is want up to rounding: the tables give exact fractions.
func near(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-12
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %.15g, want %.15g", what, got, want)
	}
}

// wantParamError checks that err is a *ParamError for param whose message names it
// and, when known, its range.
func wantParamError(t *testing.T, err error, param, rng string) {
	t.Helper()
	var pe *ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a *ParamError for %s", err, param)
	}
	if pe.Param != param {
		t.Errorf("ParamError names %q, want %q (%v)", pe.Param, param, err)
	}
	if !strings.Contains(pe.Msg, param) {
		t.Errorf("message %q does not name %s", pe.Msg, param)
	}
	if rng != "" && (pe.Range != rng || !strings.Contains(pe.Msg, rng)) {
		t.Errorf("message %q, range %q: want range %s", pe.Msg, pe.Range, rng)
	}
}
