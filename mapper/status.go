package mapper

import (
	"fmt"
	"maps"
	"strings"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// StatusMap sets one Salesforce field from an order's status: the value
// Values names for the status, else Default, and Archived for an archived
// order (is_deleted) whatever its status. An empty value sends nothing, so
// the field keeps what Salesforce holds.
//
// Config.Stage and Config.OrderStage are StatusMaps; each states what its
// unset parts mean.
type StatusMap struct {
	// Field is the API name of the field to set.
	Field string
	// Values maps status ids (1-14) to values.
	Values map[bigcommerce.StatusID]string
	// Default is the value of every synced status that Values does not name.
	Default string
	// Archived is the value of an archived order, whatever its status.
	Archived string
}

// Default values of Config.Stage and of the status fields.
const (
	// DefaultStageField is the field Config.Stage sets: "StageName".
	DefaultStageField = "StageName"
	// DefaultStageName is the stage of every synced status that
	// Config.Stage.Values does not name. StageName values are org-specific;
	// this one exists in a new org.
	DefaultStageName = "Closed Won"
	// DefaultLostStageName is the stage of a refunded, cancelled, declined or
	// archived order; it exists in a new org.
	DefaultLostStageName = "Closed Lost"
	// DefaultStatusField receives the order's status text ("Archived" for
	// an archived order) on the Opportunity or Order.
	DefaultStatusField = "BigCommerce_Status__c"
	// DefaultRefundedAmountField receives refunded_amount on the
	// Opportunity or Order.
	DefaultRefundedAmountField = "BigCommerce_Refunded_Amount__c"
	// ArchivedStatusText is the status text sent for an archived order.
	ArchivedStatusText = "Archived"
	// NoField, as the name of an optional field (Fields.Status,
	// Fields.RefundedAmount), leaves that field out of every record.
	NoField = "-"
)

// maxStatusText is the length the status text is cut to: the Text(40)
// field an org creates for it.
const maxStatusText = 40

// DefaultLostStages returns the default Config.Stage.Values: Refunded (4),
// Cancelled (5) and Declined (6) map to "Closed Lost". The map is new on
// every call.
func DefaultLostStages() map[bigcommerce.StatusID]string {
	return map[bigcommerce.StatusID]string{
		bigcommerce.StatusRefunded:  DefaultLostStageName,
		bigcommerce.StatusCancelled: DefaultLostStageName,
		bigcommerce.StatusDeclined:  DefaultLostStageName,
	}
}

// value returns the value for o, or "" for none.
func (s *StatusMap) value(o *bigcommerce.Order) string {
	if o.IsDeleted && s.Archived != "" {
		return s.Archived
	}
	if v, ok := s.Values[o.StatusID]; ok {
		return v
	}
	return s.Default
}

// set puts the value for o into rec, when there is one.
func (s *StatusMap) set(rec *Record, o *bigcommerce.Order) {
	if s.Field == "" {
		return
	}
	if v := s.value(o); v != "" {
		rec.Fields[s.Field] = v
	}
}

// stageDefaults fills the unset parts of Config.Stage.
func (s StatusMap) stageDefaults() StatusMap {
	if s.Field == "" {
		s.Field = DefaultStageField
	}
	if s.Values == nil {
		s.Values = DefaultLostStages()
	} else {
		s.Values = maps.Clone(s.Values)
	}
	if s.Default == "" {
		s.Default = DefaultStageName
	}
	if s.Archived == "" {
		s.Archived = DefaultLostStageName
	}
	return s
}

func (s StatusMap) clone() StatusMap {
	s.Values = maps.Clone(s.Values)
	return s
}

// validate reports the problems of a StatusMap named name.
func (s *StatusMap) validate(name string) []error {
	var errs []error
	if s.Field != "" && !isAPIName(s.Field) {
		errs = append(errs, fmt.Errorf("%s.Field %q is not a Salesforce API name", name, s.Field))
	}
	if s.Field == "" && (len(s.Values) > 0 || s.Default != "" || s.Archived != "") {
		errs = append(errs, fmt.Errorf("%s has values but no Field", name))
	}
	check := func(what, v string) {
		if v != strings.TrimSpace(v) || !validText(v) {
			errs = append(errs, fmt.Errorf("%s.%s %q has surrounding space or invalid UTF-8", name, what, v))
		}
	}
	check("Default", s.Default)
	check("Archived", s.Archived)
	for id, v := range s.Values {
		if id < bigcommerce.StatusPending || id > bigcommerce.StatusPartiallyRefunded {
			errs = append(errs, fmt.Errorf("%s.Values: status id %d is not a synced BigCommerce status (1-14)", name, int(id)))
		}
		check(fmt.Sprintf("Values[%d]", int(id)), v)
	}
	return errs
}

// statusFields sets the status text and the refunded amount on rec.
func (b *builder) statusFields(rec *Record) error {
	if f := b.cfg.Fields.Status; f != NoField {
		text := b.o.Status
		if b.o.IsDeleted {
			text = ArchivedStatusText
		}
		b.set(rec, f, text, maxStatusText)
	}
	if f := b.cfg.Fields.RefundedAmount; f != NoField {
		n, err := b.money("refunded_amount", b.o.RefundedAmount)
		if err != nil {
			return err
		}
		rec.Fields[f] = n
	}
	return nil
}
