// Package assurance holds the substance of the back-channel: conditional
// assurances ("Israel will not strike first unless provoked") and red lines,
// as structured objects compiled once to CEL and watched against the records
// of the world.
//
// Compile reads the assurances and red lines of a scenario or assurance file
// (ASSURANCES.md gives the format), reporting every problem with the file,
// line and column of the YAML value at fault. Patterns are turned into CEL so
// that conditions have one evaluation path. An Engine then takes records in
// time order and moves each assurance through its lifecycle: red lines first,
// then `unless` (the issuer is released: lapsed), then `refrain` (the issuer
// did what it promised not to: breached), then reciprocity, and expiry at
// `until`. Every transition keeps its time and the record that caused it.
package assurance
