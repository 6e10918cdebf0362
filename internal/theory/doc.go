// Package theory computes the closed-form models of formal international-relations
// theory that the assessment layer rests on (MODELS.md part A): when fear alone makes
// two security seekers fight, how a costly gesture or a mediator can reassure, how much
// outside pressure or loss of control a cooperative equilibrium can absorb, how private
// information makes bargaining fail, and how reciprocal fear of surprise attack feeds an
// arms race.
//
// The models, each a plain function with its source:
//
//	stage            Stage, QStar, PiStar      Kydd 2005, Kydd 2000; Jervis 1978
//	spiral           Spiral, Bayes             Kydd 2005
//	signal           Signal                    Kydd 2000, Kydd 2005
//	mediator         Mediator, MediatorInterval, MediatorCredible, MediatorHonest
//	                                           Kydd 2006
//	advisor          Advisor                   Kydd 2003
//	fragility        Fragility, FragilityAt, DeltaStar
//	                                           Kydd 2005 extended; Jervis 1978
//	capacity         Capacity, KappaStar       Kydd 2005 extended
//	fearon           Fearon, FirstStrikeFails  Fearon 1995
//	reciprocal-fear  ReciprocalFear, Cutoff    Baliga and Sjöström 2004
//
// Sources: Kydd, Trust and Mistrust in International Relations (Princeton, 2005);
// Kydd, "Trust, Reassurance, and Cooperation", International Organization 54 (2000);
// Kydd, "Which Side Are You On? Bias, Credibility, and Mediation", American Journal of
// Political Science 47 (2003); Kydd, "When Can Mediators Build Trust?", American
// Political Science Review 100 (2006); Fearon, "Rationalist Explanations for War",
// International Organization 49 (1995); Baliga and Sjöström, "Arms Races and
// Negotiations", Review of Economic Studies 71 (2004); Jervis, "Cooperation under the
// Security Dilemma", World Politics 30 (1978).
//
// The Kydd models are reconstructions consistent with Kydd's published claims, in our
// notation and normalization (mutual restraint 1, mutual war 0), not the papers' payoff
// tables; a number here is a statement about the reconstruction, and a disagreement
// with a figure in the papers is expected where their normalization differs.
//
// Every function that returns an error validates its parameters and returns a
// *ParamError naming the parameter (by its MODELS.md symbol) and its valid range. The
// small helpers (QStar, PiStar, Bayes, MediatorInterval and the like) do not validate:
// they are for callers that already hold valid parameters, such as the simulator in its
// inner loop. Inclusive boundaries (pi >= pi*, m in [lo, hi], G <= the reputation
// bound) hold within an absolute tolerance Tol, so that a value typed to ten digits or
// reached by rounding sits on the boundary rather than beside it; strict ones (a
// separating gesture needs dVT/kT > dVU/kU) need a margin of more than Tol.
//
// Models and Lookup describe the models for callers that take parameters by name, such
// as the `backchannel model` command: each Model lists its parameters with their ranges
// and evaluates a map of values to a result whose JSON keys are those of MODELS.md.
package theory
