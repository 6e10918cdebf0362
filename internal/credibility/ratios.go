package credibility

import "maps"

// DefaultLikelihoodRatios is, by two-digit CAMEO root, how much likelier an
// untrustworthy side is than a trustworthy one to act so toward the other side:
// r = pU / pT, so a ratio above 1 lowers trust and one below 1 raises it. It
// applies when the scenario's model gives no likelihood_ratios.
//
// The hostile roots are those of MODELS.md's example, rising with the cost of the
// act: a threat is cheap talk, force posture a costly signal, an attack nearly
// conclusive. The cooperative roots raise trust, verbal cooperation (roots 03-05,
// GDELT quad class 1 but for 01 statements and 02 appeals, which say nothing of
// intent) less than material cooperation (06-08, quad class 2 but for 09
// investigate): promises cost less than deeds, so an aggressor makes them more
// readily (Kydd 2000: reassurance needs signals a security seeker would send and
// an aggressor would not). Roots not listed move nothing.
var DefaultLikelihoodRatios = map[string]float64{
	"03": 0.8, // express intent to cooperate
	"04": 0.8, // consult
	"05": 0.8, // engage in diplomatic cooperation
	"06": 0.6, // engage in material cooperation
	"07": 0.6, // provide aid
	"08": 0.6, // yield
	"13": 1.5, // threaten
	"15": 2.0, // exhibit force posture
	"17": 2.5, // coerce
	"18": 3.0, // assault
	"19": 4.0, // fight
	"20": 5.0, // use unconventional mass violence
}

// ratios returns the table in effect: the scenario's when it gives one, whole,
// else a copy of the defaults.
func ratios(scenario map[string]float64) map[string]float64 {
	if scenario != nil {
		return maps.Clone(scenario)
	}
	return maps.Clone(DefaultLikelihoodRatios)
}

// likelihoods maps a likelihood ratio r = pU / pT (r > 0) to the probabilities
// theory.Bayes takes. Bayes' rule depends on the ratio alone; of the pairs with
// that ratio this is the one whose larger member is 1: an act that lowers trust
// (r > 1) is one an untrustworthy side always takes and a trustworthy one with
// probability 1/r; one that raises it (r < 1) a trustworthy side always takes and
// an untrustworthy one with probability r.
func likelihoods(r float64) (pT, pU float64) {
	if r >= 1 {
		return 1 / r, 1
	}
	return 1, r
}
