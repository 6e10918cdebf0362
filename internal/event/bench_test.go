package event

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// BenchmarkGDELT2 parses and normalizes GDELT 2.0 rows: the real 15-minute
// export of ../shared/data repeated to about 100 MB, read from memory so that
// the disk is not measured. Run it on one core:
//
//	go test -run XXX -bench 'GDELT2$' -benchmem -cpu 1 ./internal/event/
//
// bench/events.sh puts the same parse beside wc -l and pandas on a file.
func BenchmarkGDELT2(b *testing.B) {
	data, err := os.ReadFile(sharedData(b, "gdelt2/20191024143000.export.CSV"))
	if err != nil {
		b.Fatal(err)
	}
	big := bytes.Repeat(data, (100<<20)/len(data)+1)
	b.SetBytes(int64(len(big)))
	b.ReportAllocs()
	var rows int
	for b.Loop() {
		r := newGDELTReader("bench", bytes.NewReader(big))
		var rec Record
		rows = 0
		for {
			err := r.Next(&rec)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDecodeJSON decodes and checks one JSONL event, the line of
// EVENTS.md:
//
//	go test -run XXX -bench DecodeJSON -benchmem -cpu 1 ./internal/event/
func BenchmarkDecodeJSON(b *testing.B) {
	line := []byte(jsonlEvent)
	b.ReportAllocs()
	var rec Record
	for b.Loop() {
		if err := DecodeJSON("bench.jsonl", 1, line, &rec); err != nil {
			b.Fatal(err)
		}
	}
}
