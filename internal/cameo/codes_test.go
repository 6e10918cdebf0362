package cameo

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// codebookFile opens a file of ../shared/data/cameo, skipping the test when the
// shared reference data is not beside the project.
func codebookFile(t *testing.T, name string) [][]string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "cameo")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/data not present (%v); the cross-check against GDELT's tables runs where it is", err)
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows[1:] // header
}

func TestGoldsteinMatchesGDELT(t *testing.T) {
	rows := codebookFile(t, "CAMEO.goldsteinscale.txt")
	if len(rows) != 311 {
		t.Fatalf("GDELT's Goldstein table has %d rows, want 311", len(rows))
	}
	for _, r := range rows {
		want, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			t.Fatalf("GDELT table row %q: %v", r, err)
		}
		c, ok := Lookup(r[0])
		if !ok {
			t.Errorf("code %s is in GDELT's table but not in ours", r[0])
			continue
		}
		if c.Goldstein != want || c.GoldsteinFromRoot {
			t.Errorf("code %s: Goldstein %v (from root %v), GDELT says %v", r[0], c.Goldstein, c.GoldsteinFromRoot, want)
		}
		gs, q, ok := Resolve(r[0])
		if !ok || gs != want || q != c.Quad {
			t.Errorf("Resolve(%s) = %v, %d, %v", r[0], gs, q, ok)
		}
	}
}

func TestEveryGDELTEventCodeKnown(t *testing.T) {
	for _, r := range codebookFile(t, "cameoEvent.txt") {
		code := r[0]
		if _, ok := Lookup(code); !ok {
			t.Errorf("code %s (%s) is in GDELT's event table but not in ours", code, r[1])
		}
		// Known quirk: GDELT's file fuses 1056 and 106 on one line.
		if code == "1056" && !strings.Contains(r[1], "106:") {
			t.Errorf("expected the documented 1056/106 fusion in GDELT's file, got %q", r[1])
		}
	}
	if c, ok := Lookup("106"); !ok || c.Label != "Demand withdrawal" {
		t.Errorf("106 = %+v, %v; want the label GDELT's fused line carries", c, ok)
	}
}

func TestMergedTableQuadAndRoots(t *testing.T) {
	rows := codebookFile(t, "cameo_event_codes_merged.tsv")
	for _, r := range rows {
		c, ok := Lookup(r[0])
		if !ok {
			t.Errorf("code %s of the merged table is missing", r[0])
			continue
		}
		if c.Root != r[1] || c.Base != r[2] {
			t.Errorf("code %s: root %s base %s, table says %s %s", r[0], c.Root, c.Base, r[1], r[2])
		}
		if q, _ := strconv.Atoi(r[4]); q != c.Quad {
			t.Errorf("code %s: quad %d, GDELT QuadClass %d", r[0], c.Quad, q)
		}
	}
	if len(rows) != len(Codes()) {
		t.Errorf("merged table has %d codes, ours %d", len(rows), len(Codes()))
	}
}

func TestExtensionCodesFallBackToRoot(t *testing.T) {
	for _, code := range []string{"155", "176", "1834", "1951", "1952", "1213"} {
		c, ok := Lookup(code)
		if !ok {
			t.Fatalf("extension code %s missing", code)
		}
		root, _ := Lookup(c.Root)
		if !c.GoldsteinFromRoot || c.Goldstein != root.Goldstein {
			t.Errorf("%s: Goldstein %v from root %v; want root %s's %v", code, c.Goldstein, c.GoldsteinFromRoot, c.Root, root.Goldstein)
		}
	}
}

func TestQuadOfRoot(t *testing.T) {
	want := map[string]int{"01": 1, "05": 1, "06": 2, "09": 2, "10": 3, "14": 3, "15": 4, "20": 4, "00": 0, "21": 0, "1": 0, "x1": 0, "": 0}
	for root, q := range want {
		if got := QuadOfRoot(root); got != q {
			t.Errorf("QuadOfRoot(%q) = %d, want %d", root, got, q)
		}
	}
}

func TestValidSyntaxAndResolve(t *testing.T) {
	// "0101" is syntactically fine although no such code exists: Resolve, not
	// ValidSyntax, decides whether a code means anything.
	for s, want := range map[string]bool{"01": true, "010": true, "0101": true, "1951": true, "20": true, "21": false, "00": false, "1": false, "19511": false, "1a": false} {
		if got := ValidSyntax(s); got != want {
			t.Errorf("ValidSyntax(%q) = %v", s, got)
		}
	}
	// An unknown four-digit code falls back to its base, then its root.
	if g, q, ok := Resolve("1959"); !ok || g != -10 || q != 4 {
		t.Errorf("Resolve(1959) = %v %d %v, want base 195's -10, 4", g, q, ok)
	}
	if g, q, ok := Resolve("0499"); !ok || q != 1 || g != 1 {
		t.Errorf("Resolve(0499) = %v %d %v, want root 04's 1.0, 1", g, q, ok)
	}
	if _, _, ok := Resolve("99"); ok {
		t.Error("Resolve(99) should fail")
	}
}

func TestTypes(t *testing.T) {
	for _, r := range codebookFile(t, "cameoType.txt") {
		if l, ok := TypeLabel(r[0]); !ok || l != r[1] {
			t.Errorf("type %s: %q %v, GDELT says %q", r[0], l, ok, r[1])
		}
	}
	if l, ok := TypeLabel("MIL"); !ok || l != "Military" {
		t.Errorf("MIL = %q", l)
	}
}
