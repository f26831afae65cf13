package records

import (
	"reflect"

	"golang.org/x/text/unicode/norm"
)

// normalize rewrites every string v points to (fields of a struct, nested
// structs, slices and string maps) in Unicode NFC. Text typed on one system
// and pasted from another may spell "ệ" as one letter or as "e" plus two
// accents; stored as typed, the two never match in a search or a
// comparison, and the decomposed one prints with stray marks. Everything
// typed in is saved composed.
func normalize(v any) {
	normalizeValue(reflect.ValueOf(v))
}

func normalizeValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalizeValue(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalizeValue(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			normalizeValue(v.Index(i))
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return
		}
		for _, k := range v.MapKeys() {
			nk, nv := NFC(k.String()), NFC(v.MapIndex(k).String())
			if nk != k.String() {
				v.SetMapIndex(k, reflect.Value{})
			}
			v.SetMapIndex(reflect.ValueOf(nk).Convert(v.Type().Key()), reflect.ValueOf(nv).Convert(v.Type().Elem()))
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); !norm.NFC.IsNormalString(s) {
				v.SetString(norm.NFC.String(s))
			}
		}
	}
}

// NFC is s in Unicode normal form C (composed letters).
func NFC(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}
