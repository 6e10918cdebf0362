// Package yamldoc reads YAML documents that people write by hand (scenarios,
// assurance files) and reports every problem with the file, line and column of
// the value at fault and what was expected there.
//
// Decode turns bytes into one node tree with aliases resolved; a Checker then
// walks that tree, collecting errors instead of stopping at the first, so that
// an author sees everything wrong with a file in one run.
package yamldoc
