package assurance

import (
	"fmt"
	"reflect"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"backchannel/internal/event"
)

// The CEL type names of the record and of an actor, as error messages and
// type-check failures name them.
const (
	recordType = "backchannel.Record"
	actorType  = "backchannel.Actor"
)

// view is a record as conditions see it: every field already a CEL value, so
// that the hundreds of conditions evaluated against one record share one
// conversion and a field access allocates nothing.
type view struct {
	rec            *event.Record
	kind           ref.Val
	time           ref.Val
	source, target actorView
	// Event fields.
	id, code, root, base, dataset ref.Val
	quad, mentions                ref.Val
	goldstein                     ref.Val
	public                        ref.Val
	// Observation fields.
	indicator, value ref.Val
}

type actorView struct {
	country, typ, name ref.Val
}

func (v *view) set(r *event.Record) {
	v.rec = r
	v.kind = types.String(r.Kind.String())
	v.time = types.Timestamp{Time: r.Time()}
	if r.Kind == event.KindObservation {
		o := &r.Observation
		v.indicator, v.value = types.String(o.Indicator), types.Double(o.Value)
		return
	}
	e := &r.Event
	v.source = actorView{types.String(e.Source.Country), types.String(e.Source.Type), types.String(e.Source.Name)}
	v.target = actorView{types.String(e.Target.Country), types.String(e.Target.Type), types.String(e.Target.Name)}
	v.id, v.code, v.root, v.base = types.String(e.ID), types.String(e.Code), types.String(e.Root()), types.String(e.Base())
	v.dataset = types.String(e.Dataset)
	v.quad, v.mentions = types.Int(e.Quad), types.Int(e.Mentions)
	v.goldstein, v.public = types.Double(e.Goldstein), types.Bool(e.Public)
}

// field describes one field of the record or actor type to the type checker
// and reads it at evaluation.
type field struct {
	typ *types.Type
	// kind is the record kind that has the field; 0 for both.
	kind event.Kind
	get  func(*view) ref.Val
}

// recordFields are the fields of e, as ASSURANCES.md lists them.
var recordFields = map[string]field{
	"kind":      {types.StringType, 0, func(v *view) ref.Val { return v.kind }},
	"time":      {types.TimestampType, 0, func(v *view) ref.Val { return v.time }},
	"id":        {types.StringType, event.KindEvent, func(v *view) ref.Val { return v.id }},
	"source":    {types.NewObjectType(actorType), event.KindEvent, nil},
	"target":    {types.NewObjectType(actorType), event.KindEvent, nil},
	"code":      {types.StringType, event.KindEvent, func(v *view) ref.Val { return v.code }},
	"root":      {types.StringType, event.KindEvent, func(v *view) ref.Val { return v.root }},
	"base":      {types.StringType, event.KindEvent, func(v *view) ref.Val { return v.base }},
	"quad":      {types.IntType, event.KindEvent, func(v *view) ref.Val { return v.quad }},
	"goldstein": {types.DoubleType, event.KindEvent, func(v *view) ref.Val { return v.goldstein }},
	"mentions":  {types.IntType, event.KindEvent, func(v *view) ref.Val { return v.mentions }},
	"public":    {types.BoolType, event.KindEvent, func(v *view) ref.Val { return v.public }},
	"dataset":   {types.StringType, event.KindEvent, func(v *view) ref.Val { return v.dataset }},
	"indicator": {types.StringType, event.KindObservation, func(v *view) ref.Val { return v.indicator }},
	"value":     {types.DoubleType, event.KindObservation, func(v *view) ref.Val { return v.value }},
}

// actorFields are the fields of e.source and e.target.
var actorFields = map[string]func(*actorView) ref.Val{
	"country": func(a *actorView) ref.Val { return a.country },
	"type":    func(a *actorView) ref.Val { return a.typ },
	"name":    func(a *actorView) ref.Val { return a.name },
}

// provider adds the record and actor types to CEL's standard registry. Field
// access goes through FieldType.GetFrom, which the interpreter calls with the
// *view (or *actorView) itself: no reflection, no conversion per access.
type provider struct {
	*types.Registry
}

func (p provider) FindStructType(name string) (*types.Type, bool) {
	if name == recordType || name == actorType {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return p.Registry.FindStructType(name)
}

func (p provider) FindStructFieldNames(name string) ([]string, bool) {
	switch name {
	case recordType:
		return mapKeys(recordFields), true
	case actorType:
		return mapKeys(actorFields), true
	}
	return p.Registry.FindStructFieldNames(name)
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (p provider) FindStructFieldType(structType, name string) (*types.FieldType, bool) {
	switch structType {
	case recordType:
		f, ok := recordFields[name]
		if !ok {
			return nil, false
		}
		return &types.FieldType{
			Type:  f.typ,
			IsSet: func(target any) bool { v, ok := target.(*view); return ok && hasField(v, f) },
			GetFrom: func(target any) (any, error) {
				v, ok := target.(*view)
				if !ok {
					return nil, fmt.Errorf("e.%s: not a record", name)
				}
				if !hasField(v, f) {
					return nil, fmt.Errorf("no such field %q on an %s; test e.kind == %q first", name, v.rec.Kind, f.kind)
				}
				switch name {
				case "source":
					return &v.source, nil
				case "target":
					return &v.target, nil
				}
				return f.get(v), nil
			},
		}, true
	case actorType:
		get, ok := actorFields[name]
		if !ok {
			return nil, false
		}
		return &types.FieldType{
			Type:  types.StringType,
			IsSet: func(target any) bool { _, ok := target.(*actorView); return ok },
			GetFrom: func(target any) (any, error) {
				a, ok := target.(*actorView)
				if !ok {
					return nil, fmt.Errorf("%s: not an actor", name)
				}
				return get(a), nil
			},
		}, true
	}
	return p.Registry.FindStructFieldType(structType, name)
}

func hasField(v *view, f field) bool { return f.kind == 0 || f.kind == v.rec.Kind }

// NativeToValue turns a record or actor that an expression yields whole (as
// in `e.source == e.target`) into a CEL object; the rest goes to the registry.
func (p provider) NativeToValue(v any) ref.Val {
	switch v := v.(type) {
	case *view:
		return object{typ: types.NewObjectType(recordType), val: v, p: p}
	case *actorView:
		return object{typ: types.NewObjectType(actorType), val: v, p: p}
	}
	return p.Registry.NativeToValue(v)
}

// object is a record or actor as a CEL value. Two objects are equal when
// they are the same record or when their fields are (actors).
type object struct {
	typ *types.Type
	val any
	p   provider
}

func (o object) ConvertToNative(t reflect.Type) (any, error) {
	return nil, fmt.Errorf("%s cannot be converted to a Go value", o.typ.TypeName())
}
func (o object) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return o.typ
	}
	return types.NewErr("%s cannot be converted to %s", o.typ.TypeName(), t.TypeName())
}
func (o object) Equal(other ref.Val) ref.Val {
	ov, ok := other.(object)
	if !ok {
		return types.False
	}
	if a, ok := o.val.(*actorView); ok {
		b, ok := ov.val.(*actorView)
		return types.Bool(ok && a.country.Equal(b.country) == types.True &&
			a.typ.Equal(b.typ) == types.True && a.name.Equal(b.name) == types.True)
	}
	return types.Bool(o.val == ov.val)
}
func (o object) Type() ref.Type { return o.typ }
func (o object) Value() any     { return o.val }

// Get lets an object be indexed by field name (e["code"]).
func (o object) Get(index ref.Val) ref.Val {
	name, ok := index.(types.String)
	if !ok {
		return types.NewErr("no such key: %v", index)
	}
	ft, ok := o.p.FindStructFieldType(o.typ.TypeName(), string(name))
	if !ok {
		return types.NewErr("no such field %q", string(name))
	}
	v, err := ft.GetFrom(o.val)
	if err != nil {
		return types.NewErr("%v", err)
	}
	return o.p.NativeToValue(v)
}

// newEnv returns the CEL environment conditions compile in: e, ind and now
// as ASSURANCES.md defines them.
func newEnv() (*cel.Env, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	p := provider{reg}
	return cel.NewEnv(
		cel.CustomTypeProvider(p),
		cel.CustomTypeAdapter(p),
		cel.Variable("e", cel.ObjectType(recordType)),
		cel.Variable("ind", cel.MapType(cel.StringType, cel.DoubleType)),
		cel.Variable("now", cel.TimestampType),
	)
}

// activation hands the interpreter the current record, indicator values and
// time without building a map per record.
type activation struct {
	view view
	ind  *indicators
	now  ref.Val
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "e":
		return &a.view, true
	case "ind":
		return a.ind, true
	case "now":
		return a.now, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (a *activation) set(r *event.Record) {
	a.view.set(r)
	a.now = a.view.time
	a.ind.at(r.Time())
}
