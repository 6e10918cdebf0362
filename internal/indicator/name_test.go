package indicator

import (
	"errors"
	"strings"
	"testing"
)

func TestParseName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Name
	}{
		{"ISR->IRN.conflict", Name{Kind: Conflict, From: "ISR", To: "IRN", Metric: "conflict"}},
		{"ISR->IRN.cooperation", Name{Kind: Cooperation, From: "ISR", To: "IRN", Metric: "cooperation"}},
		{"ISR->IRN.net_cooperation", Name{Kind: NetCooperation, From: "ISR", To: "IRN", Metric: "net_cooperation"}},
		{"USA->IRN.pressure", Name{Kind: Pressure, From: "USA", To: "IRN", Metric: "pressure"}},
		{"ISR->IRN.rhetoric_gap", Name{Kind: RhetoricGap, From: "ISR", To: "IRN", Metric: "rhetoric_gap"}},
		{"IRN->IRN.conflict", Name{Kind: Conflict, From: "IRN", To: "IRN", Metric: "conflict"}},
		{"IRN.instability", Name{Kind: Instability, From: "IRN", Metric: "instability"}},
		{"WSB.instability", Name{Kind: Instability, From: "WSB", Metric: "instability"}},
		{"IRN.enrichment_pct", Name{Kind: Numeric, From: "IRN", Metric: "enrichment_pct"}},
		{"IRN.protesters2", Name{Kind: Numeric, From: "IRN", Metric: "protesters2"}},
		{"IAEA.inspections", Name{Kind: Numeric, From: "IAEA", Metric: "inspections"}},
	} {
		got, err := ParseName(tc.in)
		if err != nil {
			t.Errorf("ParseName(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseName(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if s := got.String(); s != tc.in {
			t.Errorf("ParseName(%q).String() = %q, want the name back", tc.in, s)
		}
	}
}

func TestParseNameErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // in the message, beside the accepted forms
	}{
		{"", "no .metric"},
		{"IRN", "no .metric"},
		{"IRN.", "no .metric"},
		{"ISR->IRN.instability", "a dyad SRC->TGT takes"},
		{"ISR->IRN.enrichment_pct", "a dyad SRC->TGT takes"},
		{"ISR->IRN.rhetoric", "a dyad SRC->TGT takes"},
		{"IRN.rhetoric_gap", "measured on a dyad: write SRC->IRN.rhetoric_gap"},
		{"ISR->QQQ.rhetoric_gap", `"QQQ" is not a CAMEO country code`},
		{"IRN.conflict", "measured on a dyad: write SRC->IRN.conflict"},
		{"IRN.pressure", "measured on a dyad"},
		{"ISR->QQQ.conflict", `"QQQ" is not a CAMEO country code`},
		{"isr->IRN.conflict", `"isr" is not a CAMEO country code`},
		{"->IRN.conflict", "country code is missing"},
		{"ISR->.conflict", "country code is missing"},
		{"ISR->IRN->USA.conflict", "not a CAMEO country code"},
		{"QQQ.instability", `"QQQ" is not a CAMEO country code`},
		{"Iran.enrichment_pct", "must be upper-case"},
		{".enrichment_pct", "must be upper-case"},
		{"IRN.enrichment-pct", "letters, digits and underscores"},
		{"IRN.enrichment.pct", "letters, digits and underscores"},
		{"IRN._pct", "starting with a letter"},
		{"IRN.60pct", "starting with a letter"},
	} {
		_, err := ParseName(tc.in)
		if err == nil {
			t.Errorf("ParseName(%q) succeeded, want an error", tc.in)
			continue
		}
		msg := err.Error()
		if !errors.Is(err, ErrBadName) || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "accepted forms:") {
			t.Errorf("ParseName(%q) = %q; want ErrBadName saying %q and the accepted forms", tc.in, msg, tc.want)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{
		Conflict: "conflict", Cooperation: "cooperation", NetCooperation: "net_cooperation",
		Instability: "instability", Pressure: "pressure", RhetoricGap: "rhetoric_gap",
		Numeric: "numeric", 0: "Kind(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}
