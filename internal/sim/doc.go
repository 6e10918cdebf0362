// Package sim is the Monte Carlo crisis simulator of MODELS.md part C: it measures
// how much a mediated back-channel lowers the risk of a war that fear, loss of control
// or temptation would start, under the variables of a scenario's model section.
//
// A run draws both sides' types from the priors (trustworthy, a security seeker, or
// untrustworthy) and steps day by day to the horizon. Each day, in this order:
//
//  1. Drivers move along their paths (piecewise linear, plus a normal deviation
//     of sd noise each day that carries over from day to day, its correlation
//     halving every NoiseHalfLifeDays): a trustworthy side's temptation is
//     tT0 + sum beta x, a side's capacity kappa0 prod (1 - x)^alpha, x clipped to
//     [0, 1].
//  2. Incidents arrive, Poisson with incidents_per_day, each by one side at
//     random. An incident by a side in control looks hostile with probability
//     misperception.trustworthy or .untrustworthy by its type; a trustworthy side
//     out of control (probability 1 - kappa that day) acts like an untrustworthy
//     one. The other side updates its belief by Bayes (A2, theory.Bayes) on what
//     it saw, hostile or not, with the misperception probabilities as likelihoods:
//     it cannot tell loss of control from intent, which is how instability erodes
//     trust.
//  3. With the channel, red lines end it with their daily hazards; while it lasts
//     and its mediator is credible (A4, theory.MediatorCredible) the mediator
//     reports each side's type to the other on the every_days-th day and every
//     every_days days after (days every_days-1, 2 every_days-1, ... counting the
//     start as day 0; with daily reports, every day), right with probability
//     accuracy, and each side updates: pi' = pi a / (pi a + (1-pi)(1-a)) on a
//     report of "trustworthy". A mediator that is not credible moves nothing.
//  4. Both sides decide at once. An untrustworthy side, a trustworthy side out of
//     control, or one whose temptation has reached 1 strikes with probability
//     hazard_untrustworthy; any other side strikes iff its belief in the other
//     times the other's capacity falls below q*(its temptation) (A1, theory.QStar),
//     within theory.Tol. A strike starts a war and ends the run.
//
// The two arms, without and with the channel, share every random number of a run
// (common random numbers): the same types, drivers, incidents and draws for control
// and strikes, so the difference between them is the channel's alone and is measured
// far more precisely than two independent samples would allow. Each day's draws are
// the same in number whatever happens, which keeps the arms aligned and defines the
// floor the benchmarks compare against: the cost of the draws alone.
//
// Each run has its own random stream, a PCG (math/rand/v2) seeded from the seed and
// the run's index, and runs are gathered in blocks of fixed size merged in block
// order, so a seed gives the same result, to the last bit, whatever the number of
// workers.
//
// A war is classified by who struck first (both sides may strike on the same day):
// deliberate if an untrustworthy side struck, loss of control if a trustworthy side
// out of control did, temptation if a trustworthy side whose temptation had reached
// 1 did; otherwise a trustworthy side in control struck out of fear, and the war is
// preemptive if the other side is untrustworthy, a miscalculation if not. Tragic wars are those between two trustworthy sides, whatever began them;
// exploited, those in which a trustworthy side was struck while it held.
//
// Sensitivity runs the simulation again with each driver's effect scaled, 0 to
// 2: its coefficient (beta, alpha) multiplied, the path as written.
//
// With horizon 1, no incidents, hazard 1, capacity 1, accuracy 1 and daily reports
// the simulator is the stage game of A1, and its two arms reproduce theory.Stage's
// outcomes without and with a credible mediator.
package sim
