package event

// positioned is implemented by every Reader: it says where the record that
// Next last returned began, so that a record can be traced to its source
// after it has been read (the trigger of an assurance's lapse, say).
type positioned interface {
	where() (file string, line int)
}

// Where returns the file (for a zip archive, "archive!member") and the line
// on which the record that Next last returned begins; line is 0 before the
// first record.
func (f *File) Where() (file string, line int) {
	if p, ok := f.r.(positioned); ok {
		return p.where()
	}
	return f.Name, 0
}

func (g *gdeltReader) where() (string, int)  { return g.file, g.ln.n }
func (ir *icewsReader) where() (string, int) { return ir.file, ir.ln.n }
func (j *jsonlReader) where() (string, int)  { return j.file, j.ln.n }

func (a *acledReader) where() (string, int) { return a.file, a.recLine }

func (z *zipReader) where() (string, int) {
	if z.cur == nil {
		return z.path, 0
	}
	return z.cur.Where()
}
