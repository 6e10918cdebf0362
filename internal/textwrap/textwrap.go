// Package textwrap lays out prose for the terminal: words in lines of at
// most Width columns, each line starting with an indent. The command line's
// reports (assurance timelines, credibility assessments) share it.
package textwrap

import "strings"

// Width is the most columns a line takes, indent included (a longer word
// gets a line of its own).
const Width = 100

// Write writes text to b in lines of at most Width columns, each starting
// with indent and ending with a newline.
func Write(b *strings.Builder, indent, text string) {
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > Width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
}
