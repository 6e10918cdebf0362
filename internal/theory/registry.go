package theory

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Model describes one closed-form model for callers that take parameters by name,
// such as the `backchannel model` command.
type Model struct {
	// Name is the model's name in MODELS.md and on the command line ("stage").
	Name string
	// Title says in a few words what the model is and what it answers.
	Title string
	// Source cites the work the model comes from.
	Source string
	// Reconstructed is true for the Kydd models: they are reconstructions consistent
	// with Kydd's published claims in our notation, not the papers' payoff tables.
	Reconstructed bool
	// Params are the model's parameters in the order the documentation gives them.
	Params []Param
	eval   func(v map[string]float64) (Result, error)
}

// Eval computes the model for parameter values given by name. A parameter that is
// unknown to the model, a required one that is missing, or a value out of its range is
// a *ParamError. The result is the model's result type held by value (a StageResult
// for stage, and so on); its JSON keys are those of MODELS.md.
func (m Model) Eval(values map[string]float64) (Result, error) {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if _, ok := m.Param(name); !ok {
			return nil, &ParamError{Param: name,
				Msg: fmt.Sprintf("unknown parameter %s for model %s; it takes %s", name, m.Name, strings.Join(m.ParamNames(), ", "))}
		}
	}
	for _, p := range m.Params {
		v, ok := values[p.Name]
		if !ok {
			if !p.Optional {
				return nil, missing(p, "")
			}
			continue
		}
		if err := p.check(v); err != nil {
			return nil, err
		}
	}
	return m.eval(values)
}

// Param returns the model's parameter of that name.
func (m Model) Param(name string) (Param, bool) {
	i := slices.IndexFunc(m.Params, func(p Param) bool { return p.Name == name })
	if i < 0 {
		return Param{}, false
	}
	return m.Params[i], true
}

// ParamNames lists the names of the model's parameters, in order.
func (m Model) ParamNames() []string {
	names := make([]string, len(m.Params))
	for i, p := range m.Params {
		names[i] = p.Name
	}
	return names
}

func missing(p Param, why string) *ParamError {
	msg := fmt.Sprintf("missing parameter %s: want a number in %s (%s)", p.Name, p.Range, p.Meaning)
	if why != "" {
		msg += "; " + why
	}
	return &ParamError{Param: p.Name, Range: p.Range.String(), Msg: msg}
}

// Models lists the closed-form models of MODELS.md part A, in its order.
func Models() []Model {
	out := slices.Clone(models)
	for i := range out {
		out[i].Params = slices.Clone(out[i].Params)
	}
	return out
}

// Lookup returns the model of that name.
func Lookup(name string) (Model, bool) {
	i := slices.IndexFunc(models, func(m Model) bool { return m.Name == name })
	if i < 0 {
		return Model{}, false
	}
	m := models[i]
	m.Params = slices.Clone(m.Params)
	return m, true
}

var models = []Model{
	{
		Name: "stage", Title: "the security-dilemma stage game, in which fear alone can make two security seekers fight",
		Source: "Kydd 2005, Kydd 2000, Jervis 1978", Reconstructed: true, Params: stageParams,
		eval: func(v map[string]float64) (Result, error) { return Stage(v["pi"], v["c"], v["tT"]) },
	},
	{
		Name: "spiral", Title: "the spiral as Bayesian updating, trust after one observed action",
		Source: "Kydd 2005", Reconstructed: true, Params: spiralParams,
		eval: func(v map[string]float64) (Result, error) { return Spiral(v["pi"], v["pT"], v["pU"]) },
	},
	{
		Name: "signal", Title: "reassurance by a costly signal, whether a gesture can tell the types apart",
		Source: "Kydd 2000, Kydd 2005", Reconstructed: true, Params: signalParams,
		eval: func(v map[string]float64) (Result, error) { return Signal(v["dVT"], v["dVU"], v["kT"], v["kU"]) },
	},
	{
		Name: "mediator", Title: "when a mediator can build trust, whether its report is believed",
		Source: "Kydd 2006", Reconstructed: true, Params: mediatorParams,
		eval: evalMediator,
	},
	{
		Name: "advisor", Title: "a mediator advising one side of a bargain, whether its advice prevents war",
		Source: "Kydd 2003", Reconstructed: true, Params: advisorParams,
		eval: func(v map[string]float64) (Result, error) {
			return Advisor(AdvisorGame{P: v["p"], C1: v["c1"], C2w: v["c2w"], C2r: v["c2r"], Rho: v["rho"], XM: v["xM"], KM: v["kM"]})
		},
	},
	{
		Name: "fragility", Title: "fragility under third-party pressure, how much of it cooperation absorbs",
		Source: "Kydd 2005 extended, Jervis 1978", Reconstructed: true, Params: fragilityParams,
		eval: func(v map[string]float64) (Result, error) {
			if delta, ok := v["delta"]; ok {
				return FragilityAt(v["pi"], v["c"], v["tT"], delta)
			}
			return Fragility(v["pi"], v["c"], v["tT"])
		},
	},
	{
		Name: "capacity", Title: "credibility as capacity, how much control of its forces a trustworthy leader needs",
		Source: "Kydd 2005 extended", Reconstructed: true, Params: capacityParams,
		eval: func(v map[string]float64) (Result, error) {
			r, err := Capacity(v["pi"], v["c"], v["tT"])
			if kappa, ok := v["kappa"]; ok {
				r.kappa = &kappa
			}
			return r, err
		},
	},
	{
		Name: "fearon", Title: "bargaining and war under private information about the cost of war",
		Source: "Fearon 1995", Params: fearonParams,
		eval: func(v map[string]float64) (Result, error) { return Fearon(v["p"], v["cA"], v["cbar"]) },
	},
	{
		Name: "reciprocal-fear", Title: "the reciprocal fear of surprise attack, arming under private costs",
		Source: "Baliga and Sjöström 2004", Params: reciprocalParams,
		eval: func(v map[string]float64) (Result, error) { return ReciprocalFear(v["mu"], v["d"], v["cbar"]) },
	},
}

// evalMediator adds the reputation test when G, delta, Vc and Vb are all given.
func evalMediator(v map[string]float64) (Result, error) {
	rep := mediatorParams[2:]
	given := 0
	for _, p := range rep {
		if _, ok := v[p.Name]; ok {
			given++
		}
	}
	switch {
	case given == 0:
		return Mediator(v["m"], v["kM"])
	case given < len(rep):
		for _, p := range rep {
			if _, ok := v[p.Name]; !ok {
				return nil, missing(p, "G, delta, Vc and Vb go together")
			}
		}
	}
	return MediatorReputation(v["m"], v["kM"], v["G"], v["delta"], v["Vc"], v["Vb"])
}
