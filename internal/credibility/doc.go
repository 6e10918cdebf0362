// Package credibility measures, live, what each assurance of a scenario is worth
// (MODELS.md part B): whether the beneficiary, holding it, can afford to hold its
// own fire. An assurance from i to j is credible to the degree that j believes i
// means it and that i can deliver it:
//
//	credibility(t) = intention pi_i(t) x capacity kappa_i(t)
//
// and it reassures while credibility(t) >= q*(tT_j(t)) = c / (1 - tT_j + c), the
// least belief that the other holds at which j, with temptation tT_j, holds too
// (MODELS.md A1, theory.QStar, within theory.Tol). The margin is credibility minus
// that threshold. An assurance that is not in force (not yet, or lapsed, breached,
// withdrawn, expired: the lifecycle of the assurance engine) reassures no one,
// whatever its numbers.
//
// # Intention
//
// pi_i(t) is j's belief that i is trustworthy (a security seeker). It starts at the
// scenario's prior model.priors[i] at the scenario's start; what happened before
// the start is in the prior. It then moves by Bayes' rule (A2, theory.Bayes):
//
//   - On i's actions toward j: once per UTC day, per dyad i->j and per CAMEO root,
//     on the first public event of that root that day with source country i and
//     target country j, with pT and pU from the root's likelihood ratio r = pU/pT
//     (see likelihoods): pi' = pi pT / (pi pT + (1 - pi) pU). Events the channel
//     carried (public false) are the assurances themselves and count once, through
//     the mediator below, not again as actions.
//   - On each reassurance a mediator conveys, when the mediator is credible by A4
//     (theory.MediatorCredible with its ideal and conflict cost) and reports with
//     accuracy a: pi' = pi a / (pi a + (1 - pi)(1 - a)), which is Bayes' rule with
//     pT = a, pU = 1 - a on a report that i is trustworthy. A mediator that is not
//     credible moves nothing. The conveyance is the first lifecycle transition of
//     the assurance among conveyed, acknowledged and in force (an assurance loaded
//     from a scenario has only the last, at its from). Only the model's mediator
//     (model.mediator, with its accuracy) moves belief: an assurance carried by
//     another actor moves nothing. Several assurances from i to j that the same
//     mediator conveys on the same day are one report: the mediator says once that
//     i is trustworthy.
//
// Likelihood ratios come from model.likelihood_ratios when the scenario gives the
// table, which then replaces the defaults whole (a root it leaves out moves nothing);
// otherwise from DefaultLikelihoodRatios: threats and force posture lower trust,
// cooperation raises it.
//
// # Capacity and temptation
//
// The drivers of the model section move both, with each driver's indicator read live
// from the events (EVENTS.md; the driver's path is the simulator's, not read here):
//
//	kappa_i(t) = kappa0_i x prod over drivers that lower i's capacity of (1 - x(t))^alpha
//	tT_j(t)    = tT0_j + sum over drivers that raise j's temptation of beta x(t)
//
// x is clipped to [0, 1] for capacity and used as it is for temptation, as the
// simulator does. With the instability indicator as the driver this is MODELS.md's
// kappa_i = kappa0_i (1 - instability_i)^alpha_i; a party with no capacity driver
// keeps kappa0. A numeric indicator with no value yet contributes nothing. When
// tT_j reaches 1 + c no belief makes holding pay and the threshold is +Inf (written
// null in JSON, inf in text and CSV).
package credibility
