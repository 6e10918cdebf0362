package sim

import "math"

// powUnit is u^a for u in [0, 1] and a >= 0, as exp(a log u), which takes half
// the time of math.Pow.
func powUnit(u, a float64) float64 {
	switch {
	case a == 0:
		return 1
	case a == 1:
		return u
	case u == 0:
		return 0
	}
	return math.Exp(a * math.Log(u))
}

// powTable gives u^a for one exponent from a table with linear interpolation: a
// noisy capacity driver needs (1 - x)^alpha every day of every run, and exp and
// log would take half the time of the whole day. The table serves u >= 1/16 and
// exponents up to 4, where interpolation is within 3e-6 of the exact value (the
// error of a chord is at most h^2/8 max|f”|); below 1/16, where u^a for a < 1
// is too steep for a chord, and for other exponents, the value is computed.
type powTable struct {
	a float64
	f []float64 // f[i] = (i/powCells)^a; nil when every value is computed
}

const (
	powCells      = 1024
	powTableFloor = 1.0 / 16
)

func newPowTable(a float64) powTable {
	p := powTable{a: a}
	if a == 0 || a == 1 || a > 4 {
		return p
	}
	p.f = make([]float64, powCells+1)
	for i := range p.f {
		p.f[i] = powUnit(float64(i)/powCells, a)
	}
	return p
}

// at returns u^a for u in [0, 1].
func (p *powTable) at(u float64) float64 {
	if p.f == nil || u < powTableFloor {
		return powUnit(u, p.a)
	}
	x := u * powCells
	i := int(x)
	if i >= powCells {
		return p.f[powCells]
	}
	return p.f[i] + (x-float64(i))*(p.f[i+1]-p.f[i])
}
