package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bc2sf/bc2sf/salesforce"
)

// pricebookTimeout bounds the start-up lookup of the standard price book,
// retries included.
const pricebookTimeout = time.Minute

// standardPricebookSOQL finds the standard price book, which every org has
// exactly one of.
const standardPricebookSOQL = "SELECT Id FROM Pricebook2 WHERE IsStandard = true"

// standardPricebook looks up the org's standard price book once, for the
// product syncs and, unless SALESFORCE_PRICEBOOK_ID names another, the
// Order target. A failed lookup is a *startFailure; an org without a
// standard price book (which a real org always has) gives "", and the
// caller turns product syncs off.
func standardPricebook(ctx context.Context, sf *salesforce.Client, log *slog.Logger) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, pricebookTimeout)
	defer cancel()
	for raw, err := range sf.Query(ctx, standardPricebookSOQL) {
		if err != nil {
			return "", &startFailure{fmt.Errorf("looking up the standard price book: %w", err)}
		}
		var rec struct {
			ID string `json:"Id"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil || rec.ID == "" {
			return "", &startFailure{errors.New("looking up the standard price book: a record without Id")}
		}
		log.Info("using the standard price book", "pricebook_id", rec.ID)
		return rec.ID, nil
	}
	return "", nil
}
