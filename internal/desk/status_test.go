package desk

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"backchannel/internal/wire"
)

// TestHubErrorStatus: the local API answers a hub's refusal with the HTTP
// status that says what it is (429 for rate_limited), and the hub's code.
func TestHubErrorStatus(t *testing.T) {
	for code, want := range map[string]int{
		wire.CodeRateLimited: http.StatusTooManyRequests,
		wire.CodeNotFound:    http.StatusNotFound,
		wire.CodeForbidden:   http.StatusForbidden,
		wire.CodeConflict:    http.StatusConflict,
		wire.CodeExhausted:   http.StatusServiceUnavailable,
		wire.CodeInternal:    http.StatusBadGateway,
		wire.CodeBadFrame:    http.StatusBadRequest,
	} {
		rec := httptest.NewRecorder()
		writeErr(rec, &HubError{Code: code, Msg: "refused"})
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", code, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	writeErr(rec, errors.Join(ErrOffline))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("offline: status %d", rec.Code)
	}
}
