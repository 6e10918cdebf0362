package event

import "io"

// placeholder until the ACLED reader lands
func newACLEDReader(file string, r io.Reader) Reader { return newJSONLReader(file, r) }
