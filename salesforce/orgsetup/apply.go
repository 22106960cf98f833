package orgsetup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bc2sf/bc2sf/salesforce"
)

// Report is what Apply did.
type Report struct {
	// Created lists the fields created, Existing those that were there
	// already with a usable type, Conflicts those left alone because their
	// type is not usable.
	Created, Existing, Conflicts []FieldPlan
	// PermissionSetCreated is true when the permission set was created.
	PermissionSetCreated bool
	// Granted counts the fields given read and edit access.
	Granted int
	// Assigned is true when the permission set was assigned to the user.
	Assigned bool
}

// Apply carries out p: it creates the missing fields (one Tooling call
// each), the permission set when missing, the field access it lacks (one
// sObject Collections call per 200 fields to create and one to update) and
// the assignment. Fields in conflict are left alone. It returns what it did,
// and an error wrapping ErrConflict when a field conflicts, after doing
// everything else. A plan that needs nothing makes no call, so Inspect and
// Apply on a set-up org only read. Apply marks in p what it did, so p then
// shows the org as it is and a second Apply of p makes no call.
func Apply(ctx context.Context, c Client, p *Plan) (Report, error) {
	var rep Report
	for i := range p.Fields {
		f := &p.Fields[i]
		switch f.State {
		case StateOK:
			rep.Existing = append(rep.Existing, *f)
		case StateConflict:
			rep.Conflicts = append(rep.Conflicts, *f)
		case StateMissing:
			if _, err := c.ToolingCreate(ctx, "CustomField", customField(f.Field)); err != nil {
				return rep, fmt.Errorf("orgsetup: create %s: %w", f.Field.FullName(), err)
			}
			rep.Created = append(rep.Created, *f)
			f.State = StateOK
		}
	}
	if p.PermissionSetID == "" {
		id, err := c.Create(ctx, "PermissionSet", map[string]any{
			"Name": p.PermissionSet, "Label": labelOf(p.PermissionSet),
			"Description": "bc2sf: read and edit access to the fields bc2sf writes. Assign it to the integration user.",
		})
		if err != nil {
			return rep, fmt.Errorf("orgsetup: create permission set %s: %w", p.PermissionSet, err)
		}
		p.PermissionSetID, rep.PermissionSetCreated = id, true
	}
	n, err := grant(ctx, c, p)
	rep.Granted = n
	if err != nil {
		return rep, err
	}
	if p.Assign {
		if _, err := c.Create(ctx, "PermissionSetAssignment", map[string]any{
			"AssigneeId": p.userID, "PermissionSetId": p.PermissionSetID,
		}); err != nil {
			return rep, fmt.Errorf("orgsetup: assign permission set %s to %s: %w", p.PermissionSet, p.AssignTo, err)
		}
		p.Assign, rep.Assigned = false, true
	}
	if len(rep.Conflicts) > 0 {
		names := make([]string, len(rep.Conflicts))
		for i, f := range rep.Conflicts {
			names[i] = f.Field.FullName() + " " + f.Problem
		}
		return rep, fmt.Errorf("%w: %s", ErrConflict, strings.Join(names, "; "))
	}
	return rep, nil
}

// customField is the Tooling API body that creates f.
func customField(f Field) salesforce.CustomField {
	return salesforce.CustomField{
		FullName: f.FullName(),
		Metadata: salesforce.CustomFieldMetadata{
			Label: f.Label, Type: string(f.Type), Length: f.Length, Precision: f.Precision, Scale: f.Scale,
			ExternalID: f.ExternalID, Unique: f.ExternalID, Description: f.Description,
		},
	}
}

// grant gives the permission set read and edit access to every field of p
// that lacks it, and returns how many fields it granted.
func grant(ctx context.Context, c Client, p *Plan) (int, error) {
	var create, update []salesforce.Record
	var names []string
	for _, f := range p.Fields {
		if !f.Grant {
			continue
		}
		names = append(names, f.Field.FullName())
		if f.permID != "" {
			update = append(update, salesforce.Record{Type: "FieldPermissions", Fields: map[string]any{
				"Id": f.permID, "PermissionsRead": true, "PermissionsEdit": true,
			}})
			continue
		}
		create = append(create, salesforce.Record{Type: "FieldPermissions", Fields: map[string]any{
			"ParentId": p.PermissionSetID, "SobjectType": f.Field.Object, "Field": f.Field.FullName(),
			"PermissionsRead": true, "PermissionsEdit": true,
		}})
	}
	if len(create) > 0 {
		res, err := c.CreateMany(ctx, create, salesforce.CollectionOptions{})
		if err = firstErr(res, err); err != nil {
			return 0, fmt.Errorf("orgsetup: grant field access: %w", err)
		}
	}
	if len(update) > 0 {
		res, err := c.UpdateMany(ctx, update, salesforce.CollectionOptions{})
		if err = firstErr(res, err); err != nil {
			return 0, fmt.Errorf("orgsetup: grant field access: %w", err)
		}
	}
	for i := range p.Fields {
		p.Fields[i].Grant = false
	}
	return len(names), nil
}

// firstErr returns the call's error or the first failed record's.
func firstErr(res []salesforce.SaveResult, err error) error {
	if err != nil {
		return err
	}
	if errs := salesforce.Errs(res); len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// String renders the plan as a table, one line per field, then the
// permission set and the assignment: what a dry run prints.
func (p *Plan) String() string {
	var b strings.Builder
	_ = p.Write(&b)
	return b.String()
}

// Write renders the plan as String does, to w.
func (p *Plan) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tNEEDS\tFOUND\tACTION")
	for _, f := range p.Fields {
		found, action := f.DataType, ""
		if found == "" {
			found = "-"
		}
		switch f.State {
		case StateMissing:
			action = "create"
		case StateOK:
			action = "none"
		case StateConflict:
			action = "CONFLICT: " + f.Problem + "; left alone"
		}
		if f.Grant {
			action += ", grant access"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Field.FullName(), f.Field.Spec(), found, action)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ps := "exists"
	if p.PermissionSetID == "" {
		ps = "create"
	}
	fmt.Fprintf(w, "permission set %s: %s\n", p.PermissionSet, ps)
	switch {
	case p.AssignTo == "":
		fmt.Fprintf(w, "assignment: none requested; assign %s to the integration user\n", p.PermissionSet)
	case p.Assign:
		fmt.Fprintf(w, "assignment to %s: create\n", p.AssignTo)
	default:
		fmt.Fprintf(w, "assignment to %s: exists\n", p.AssignTo)
	}
	_, err := fmt.Fprintf(w, "%d change(s), %d conflict(s)\n", p.Changes(), len(p.Conflicts()))
	return err
}
