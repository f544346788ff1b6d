package notify

import "github.com/sep-platform/sep/internal/seal"

// The personal data this package stores — addresses and texts — sealed at rest with the data
// key (internal/seal). Ids, kinds, channels, states and times stay in clear; so do delivery
// reasons and receipts, which by the Transport contract never carry an address or a text.
var (
	messagesTable = seal.Table{Name: "notify_messages", Key: "id",
		Sealed: []string{"subject", "body_text", "body_html", "body_short"}}
	deliveriesTable = seal.Table{Name: "notify_deliveries", Key: "id", Sealed: []string{"address"}}
	inboxTable      = seal.Table{Name: "notify_inbox", Key: "id", Sealed: []string{"subject", "body"}}
	outboxTable     = seal.Table{Name: "notify_outbox", Key: "id",
		Sealed: []string{"recipient", "subject", "body", "body_html"},
		// The outbox is looked up by recipient (?to=), in any spelling.
		Indexes: []seal.Index{{Column: "recipient_idx", Of: "recipient", Purpose: "notify.address", Normalize: normalizeAddress}}}

	// A browser's push subscription: the endpoint names the browser to its push service, and
	// the keys open its messages; the endpoint's blind index finds a subscription registered
	// again (it is compared exactly, as the browser gives it).
	pushTable = seal.Table{Name: "notify_push_subscriptions", Key: "id", Sealed: []string{"endpoint", "p256dh", "auth"},
		Indexes: []seal.Index{{Column: "endpoint_idx", Of: "endpoint", Purpose: "notify.push_endpoint",
			Normalize: func(s string) (string, error) { return s, nil }}}}

	msgSubject, msgText = messagesTable.Column("subject"), messagesTable.Column("body_text")
	msgHTML, msgShort   = messagesTable.Column("body_html"), messagesTable.Column("body_short")
	deliveryAddress     = deliveriesTable.Column("address")
	inboxSubject        = inboxTable.Column("subject")
	inboxBody           = inboxTable.Column("body")
	outboxRecipient     = outboxTable.Column("recipient")
	outboxSubject       = outboxTable.Column("subject")
	outboxBody          = outboxTable.Column("body")
	outboxHTML          = outboxTable.Column("body_html")
	outboxRecipientIdx  = outboxTable.Indexes[0]
	pushEndpoint        = pushTable.Column("endpoint")
	pushP256dh          = pushTable.Column("p256dh")
	pushAuth            = pushTable.Column("auth")
	pushEndpointIdx     = pushTable.Indexes[0]
)

// Tables declares the tables of this package that hold sealed personal data, for the key
// rotation, `sep keys status` and the data migrations.
func Tables() []seal.Table {
	return []seal.Table{messagesTable, deliveriesTable, inboxTable, outboxTable, pushTable}
}
