package yamldoc

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		nilRoot  bool
		errs     []string
	}{
		{"empty", "", true, nil},
		{"comment only", "# nothing\n", true, nil},
		{"mapping", "a: 1\n", false, nil},
		{"second document", "a: 1\n---\nb: 2\n", false, []string{"f.yaml:2:1: a second YAML document"}},
		{"syntax", "a: [1, 2\n", true, []string{"f.yaml:1:"}},
		{"bad byte", "a: 1\nb: \x01\n", true, []string{"f.yaml:2:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, errs := Decode("f.yaml", []byte(tc.in))
			if (root == nil) != tc.nilRoot {
				t.Errorf("root = %v, want nil %v", root, tc.nilRoot)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %v, want %d", errs, len(tc.errs))
			}
			for i, want := range tc.errs {
				if got := errs[i].Error(); !strings.HasPrefix(got, want) {
					t.Errorf("error %q, want prefix %q", got, want)
				}
			}
		})
	}
}

func TestDecodeResolvesAliases(t *testing.T) {
	root, errs := Decode("f.yaml", []byte("a: &x {k: 1}\nb: *x\n"))
	if errs != nil {
		t.Fatal(errs)
	}
	c := &Checker{File: "f.yaml"}
	f := c.Fields(root, "top", "a", "b")
	if got := c.Fields(f["b"], "b", "k"); got["k"] == nil || got["k"].Value != "1" {
		t.Errorf("alias b not resolved: %+v", f["b"])
	}
}

func TestChecker(t *testing.T) {
	root, errs := Decode("f.yaml", []byte(`s: text
list: [ISR, IRN]
one: ISR
bad: {x: 1}
n: 12
notn: 1.5
f: 2.5
far: 11
b: yes
nb: maybe
d: 2025-12-01
t: 2025-12-01T10:00:00+02:00
nd: someday
old: 1800-01-01
dup: 1
dup: 2
none: []
`))
	if errs != nil {
		t.Fatal(errs)
	}
	c := &Checker{File: "f.yaml"}
	v := map[string]*yaml.Node{}
	c.Mapping(root, "top", func(k, n *yaml.Node) { v[k.Value] = n })
	if got := c.Str(v["s"], "s"); got != "text" {
		t.Errorf("Str = %q", got)
	}
	if got := c.Strings(v["list"], "list"); strings.Join(got, ",") != "ISR,IRN" {
		t.Errorf("Strings(list) = %q", got)
	}
	if got := c.Strings(v["one"], "one"); strings.Join(got, ",") != "ISR" {
		t.Errorf("Strings(scalar) = %q", got)
	}
	if got := c.Strings(v["bad"], "bad"); got != nil {
		t.Errorf("Strings(mapping) = %q", got)
	}
	if got := c.Strings(v["none"], "none"); got != nil {
		t.Errorf("Strings(empty list) = %q", got)
	}
	if n, ok := c.Int(v["n"], "n"); !ok || n != 12 {
		t.Errorf("Int = %d, %v", n, ok)
	}
	if _, ok := c.Int(v["notn"], "notn"); ok {
		t.Error("Int accepted 1.5")
	}
	if f, ok := c.Float(v["f"], "f", 0, 10); !ok || f != 2.5 {
		t.Errorf("Float = %v, %v", f, ok)
	}
	if _, ok := c.Float(v["far"], "far", 0, 10); ok {
		t.Error("Float accepted 11 in [0, 10]")
	}
	if !c.Bool(v["b"], "b") || c.Bool(v["nb"], "nb") {
		t.Error("Bool")
	}
	if got := c.Time(v["d"], "d"); got.Format("2006-01-02T15:04Z07:00") != "2025-12-01T00:00Z" {
		t.Errorf("Time(date) = %v", got)
	}
	if got := c.Time(v["t"], "t"); got.Format("2006-01-02T15:04Z07:00") != "2025-12-01T08:00Z" {
		t.Errorf("Time(RFC 3339) = %v, want UTC", got)
	}
	if !c.Time(v["nd"], "nd").IsZero() || !c.Time(v["old"], "old").IsZero() {
		t.Error("Time accepted a non-date or a year out of range")
	}
	want := []string{
		"f.yaml:4:6: bad: want a string or a list of strings, got a mapping",
		"f.yaml:6:7: notn: \"1.5\" is not a whole number",
		"f.yaml:8:6: far: 11 is out of range; want 0 to 10",
		"f.yaml:10:5: nb: \"maybe\" is not true or false",
		"f.yaml:13:5: nd: \"someday\" is not a date",
		"f.yaml:14:6: old: \"1800-01-01\" is outside the years",
		"f.yaml:16:1: top: key \"dup\" appears twice",
		"f.yaml:17:7: none: empty list; name at least one value",
	}
	c.Errs.Sort()
	if len(c.Errs) != len(want) {
		t.Fatalf("errors:\n%v\nwant %d", c.Errs, len(want))
	}
	for i, w := range want {
		if got := c.Errs[i].Error(); !strings.HasPrefix(got, w) {
			t.Errorf("error %d = %q, want prefix %q", i, got, w)
		}
	}
}
