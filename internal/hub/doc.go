// Package hub is the mediator's hub: it accepts Noise sessions from enrolled
// parties, keeps their mailboxes in the store, lets the mediator's operator read
// what parties sent and convey messages of its own, routes sealed messages it
// cannot read, keeps the registry of assurances proposed over the channel, and
// notifies parties when the lifecycle engine sees an assurance change.
//
// Parties talk only to the mediator. A party's requests can touch its own mailbox
// and nothing else; nothing a party sends reaches another party except sealed
// messages, which the hub cannot read, and assurances, which the hub records in
// its own form when the mediator conveys them.
//
// Lock order: Hub.mu before session.wmu. Store calls are made without holding
// Hub.mu.
package hub
