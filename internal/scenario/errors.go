package scenario

import "backchannel/internal/yamldoc"

// Pos is a place in a file.
type Pos = yamldoc.Pos

// Error is one problem in a scenario file, where it is and what was expected.
type Error = yamldoc.Error

// ErrorList is every problem found in one load; Load returns it as its error.
type ErrorList = yamldoc.ErrorList
