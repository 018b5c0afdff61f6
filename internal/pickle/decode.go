package pickle

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// While a pickle is read, containers are pointers, so that the memo and
// the stack share them as Python's objects are shared (a list memoized and
// then appended to). They become plain Go values once the pickle is read.
type (
	list struct {
		items    []any
		visiting bool
	}
	tuple struct {
		items    []any
		visiting bool
	}
	dict struct {
		keys     []string
		m        map[string]any
		visiting bool
	}
	// global is a module attribute a datetime refers to; it is never looked up.
	global struct{ module, name string }
	// pyBytes is a bytes object, allowed only as a datetime's state.
	pyBytes []byte
	// timezone is a tzinfo: pytz's UTC or a datetime.timezone of a fixed
	// offset in seconds east of UTC.
	timezone struct{ offset int }
	// timedelta is a datetime.timedelta, allowed only as a timezone's offset.
	timedelta struct{ days, seconds, micros int64 }
)

// mark is a MARK on the stack; only the opcodes that pop to a mark take it.
type mark struct{}

// DecodeDict reads a pickle of a dict with string keys and returns its
// keys, in the dict's order, and its values (see the package doc for
// their Go types). Any other pickle gives an error wrapping ErrCorrupt
// (ErrRefused for a well-formed one holding something not allowed).
// Bytes after the pickle's STOP are ignored, as Python ignores them.
func DecodeDict(data []byte) (keys []string, values map[string]any, err error) {
	d := decoder{data: data, memo: map[uint32]any{}}
	top, err := d.run()
	if err != nil {
		return nil, nil, err
	}
	dt, ok := top.(*dict)
	if !ok {
		return nil, nil, fmt.Errorf("%w: the pickle holds a %s, not a dict", ErrRefused, typeName(top))
	}
	c := converter{budget: len(data) + maxNodes}
	m, err := c.dict(dt, 1, true)
	if err != nil {
		return nil, nil, err
	}
	return append([]string(nil), dt.keys...), m, nil
}

type decoder struct {
	data  []byte
	pos   int
	stack []any
	memo  map[uint32]any
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func refused(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRefused}, args...)...)
}

// take returns the next n bytes.
func (d *decoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.data)-d.pos) {
		return nil, corrupt("truncated at byte %d", d.pos)
	}
	b := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return b, nil
}

func (d *decoder) u8() (uint64, error) {
	b, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return uint64(b[0]), nil
}

func (d *decoder) u16() (uint64, error) {
	b, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint16(b)), nil
}

func (d *decoder) u32() (uint64, error) {
	b, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return uint64(binary.LittleEndian.Uint32(b)), nil
}

func (d *decoder) u64() (uint64, error) {
	b, err := d.take(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (d *decoder) push(v any) { d.stack = append(d.stack, v) }

func (d *decoder) pop() (any, error) {
	n := len(d.stack)
	if n == 0 {
		return nil, corrupt("stack underflow at byte %d", d.pos)
	}
	v := d.stack[n-1]
	d.stack = d.stack[:n-1]
	if _, ok := v.(mark); ok {
		return nil, corrupt("unexpected mark at byte %d", d.pos)
	}
	return v, nil
}

func (d *decoder) top() (any, error) {
	if len(d.stack) == 0 {
		return nil, corrupt("stack underflow at byte %d", d.pos)
	}
	v := d.stack[len(d.stack)-1]
	if _, ok := v.(mark); ok {
		return nil, corrupt("unexpected mark at byte %d", d.pos)
	}
	return v, nil
}

// popMark returns the items above the topmost mark, which it removes.
func (d *decoder) popMark() ([]any, error) {
	for i := len(d.stack) - 1; i >= 0; i-- {
		if _, ok := d.stack[i].(mark); ok {
			items := append([]any(nil), d.stack[i+1:]...)
			d.stack = d.stack[:i]
			return items, nil
		}
	}
	return nil, corrupt("no mark at byte %d", d.pos)
}

// str reads n bytes of UTF-8 text. Python writes a lone surrogate as
// invalid UTF-8 ("surrogatepass"), which a Go string cannot carry faithfully:
// refused.
func (d *decoder) str(n uint64) error {
	b, err := d.take(n)
	if err != nil {
		return err
	}
	if !utf8.Valid(b) {
		return refused("a string that is not valid UTF-8 at byte %d", d.pos)
	}
	d.push(string(b))
	return nil
}

func (d *decoder) bytes(n uint64) error {
	b, err := d.take(n)
	if err != nil {
		return err
	}
	d.push(pyBytes(b))
	return nil
}

// long reads an n-byte two's-complement little-endian integer.
func (d *decoder) long(n uint64) error {
	b, err := d.take(n)
	if err != nil {
		return err
	}
	if n <= 8 { // 8 bytes of two's complement are exactly an int64
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		if n > 0 && n < 8 && b[n-1]&0x80 != 0 {
			u |= math.MaxUint64 << (8 * n) // sign-extend
		}
		d.push(int64(u))
		return nil
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	x := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	d.push(normalInt(x))
	return nil
}

// normalInt returns x as an int64 when it fits, so that one number has one
// representation on the stack.
func normalInt(x *big.Int) any {
	if x.IsInt64() {
		return x.Int64()
	}
	return x
}

// run interprets the pickle and returns the value STOP finds on the stack.
func (d *decoder) run() (any, error) {
	if len(d.data) < 2 || d.data[0] != opProto {
		return nil, refused("not a pickle of protocol 2 or later (Django writes PROTO first)")
	}
	for {
		op, err := d.u8()
		if err != nil {
			return nil, err
		}
		if err := d.step(byte(op)); err != nil {
			if err == errStop {
				return d.pop()
			}
			return nil, err
		}
	}
}

// errStop ends run at STOP.
var errStop = errors.New("stop")

// step interprets one opcode.
func (d *decoder) step(op byte) error {
	switch op {
	case opProto:
		v, err := d.u8()
		if err != nil {
			return err
		}
		if v < 2 || v > 5 {
			return refused("pickle protocol %d (2 to 5 are read)", v)
		}
	case opFrame:
		n, err := d.u64()
		if err != nil {
			return err
		}
		if n > uint64(len(d.data)-d.pos) {
			return corrupt("a frame of %d bytes past the end", n)
		}
	case opStop:
		return errStop
	case opMark:
		d.push(mark{})
	case opPop:
		_, err := d.pop()
		return err
	case opPopMark:
		_, err := d.popMark()
		return err
	case opNone:
		d.push(nil)
	case opNewTrue:
		d.push(true)
	case opNewFalse:
		d.push(false)
	case opBinInt:
		v, err := d.u32()
		if err != nil {
			return err
		}
		d.push(int64(int32(uint32(v))))
	case opBinInt1:
		v, err := d.u8()
		if err != nil {
			return err
		}
		d.push(int64(v))
	case opBinInt2:
		v, err := d.u16()
		if err != nil {
			return err
		}
		d.push(int64(v))
	case opLong1:
		n, err := d.u8()
		if err != nil {
			return err
		}
		return d.long(n)
	case opLong4:
		n, err := d.u32()
		if err != nil {
			return err
		}
		if int32(uint32(n)) < 0 {
			return corrupt("LONG4 of negative length")
		}
		return d.long(n)
	case opBinFloat:
		b, err := d.take(8)
		if err != nil {
			return err
		}
		d.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opShortBinUnicode:
		n, err := d.u8()
		if err != nil {
			return err
		}
		return d.str(n)
	case opBinUnicode:
		n, err := d.u32()
		if err != nil {
			return err
		}
		return d.str(n)
	case opBinUnicode8:
		n, err := d.u64()
		if err != nil {
			return err
		}
		return d.str(n)
	case opShortBinBytes:
		n, err := d.u8()
		if err != nil {
			return err
		}
		return d.bytes(n)
	case opBinBytes:
		n, err := d.u32()
		if err != nil {
			return err
		}
		return d.bytes(n)
	case opBinBytes8:
		n, err := d.u64()
		if err != nil {
			return err
		}
		return d.bytes(n)
	case opEmptyList:
		d.push(&list{})
	case opEmptyDict:
		d.push(&dict{m: map[string]any{}})
	case opEmptyTuple:
		d.push(&tuple{})
	case opTuple1, opTuple2, opTuple3:
		n := int(op-opTuple1) + 1
		items := make([]any, n)
		for i := n - 1; i >= 0; i-- {
			v, err := d.pop()
			if err != nil {
				return err
			}
			items[i] = v
		}
		d.push(&tuple{items: items})
	case opTuple:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		d.push(&tuple{items: items})
	case opAppend:
		v, err := d.pop()
		if err != nil {
			return err
		}
		return d.appendTo([]any{v})
	case opAppends:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		return d.appendTo(items)
	case opSetItem:
		v, err := d.pop()
		if err != nil {
			return err
		}
		k, err := d.pop()
		if err != nil {
			return err
		}
		return d.setItems([]any{k, v})
	case opSetItems:
		items, err := d.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return corrupt("SETITEMS with an odd number of items")
		}
		return d.setItems(items)
	case opBinPut:
		i, err := d.u8()
		if err != nil {
			return err
		}
		return d.put(uint32(i))
	case opLongBinPut:
		i, err := d.u32()
		if err != nil {
			return err
		}
		return d.put(uint32(i))
	case opMemoize:
		return d.put(uint32(len(d.memo)))
	case opBinGet:
		i, err := d.u8()
		if err != nil {
			return err
		}
		return d.get(uint32(i))
	case opLongBinGet:
		i, err := d.u32()
		if err != nil {
			return err
		}
		return d.get(uint32(i))
	case opGlobal:
		module, err := d.line()
		if err != nil {
			return err
		}
		name, err := d.line()
		if err != nil {
			return err
		}
		return d.global(module, name)
	case opStackGlobal:
		name, err := d.pop()
		if err != nil {
			return err
		}
		module, err := d.pop()
		if err != nil {
			return err
		}
		m, ok1 := module.(string)
		n, ok2 := name.(string)
		if !ok1 || !ok2 {
			return corrupt("STACK_GLOBAL of a %s and a %s", typeName(module), typeName(name))
		}
		return d.global(m, n)
	case opReduce:
		args, err := d.pop()
		if err != nil {
			return err
		}
		fn, err := d.pop()
		if err != nil {
			return err
		}
		v, err := reduce(fn, args)
		if err != nil {
			return err
		}
		d.push(v)
	default:
		return refused("opcode 0x%02x at byte %d", op, d.pos-1)
	}
	return nil
}

func (d *decoder) appendTo(items []any) error {
	top, err := d.top()
	if err != nil {
		return err
	}
	l, ok := top.(*list)
	if !ok {
		return refused("APPEND to a %s", typeName(top))
	}
	l.items = append(l.items, items...)
	return nil
}

func (d *decoder) setItems(items []any) error {
	top, err := d.top()
	if err != nil {
		return err
	}
	dt, ok := top.(*dict)
	if !ok {
		return refused("SETITEM on a %s", typeName(top))
	}
	for i := 0; i < len(items); i += 2 {
		k, ok := items[i].(string)
		if !ok {
			return refused("a dict key that is a %s, not a str", typeName(items[i]))
		}
		if _, dup := dt.m[k]; !dup {
			dt.keys = append(dt.keys, k)
		}
		dt.m[k] = items[i+1] // a repeated key keeps its place, as in Python
	}
	return nil
}

func (d *decoder) put(i uint32) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	d.memo[i] = v
	return nil
}

func (d *decoder) get(i uint32) error {
	v, ok := d.memo[i]
	if !ok {
		return corrupt("memo %d read before it was written", i)
	}
	d.push(v)
	return nil
}

// line reads a GLOBAL operand: text up to a newline.
func (d *decoder) line() (string, error) {
	for i := d.pos; i < len(d.data); i++ {
		if d.data[i] == '\n' {
			s := string(d.data[d.pos:i])
			d.pos = i + 1
			return s, nil
		}
	}
	return "", corrupt("truncated GLOBAL")
}

// The globals a datetime is made of; any other is refused.
var allowedGlobals = map[global]bool{
	{"datetime", "datetime"}:  true,
	{"datetime", "timezone"}:  true,
	{"datetime", "timedelta"}: true,
	{"pytz", "_UTC"}:          true,
	{"_codecs", "encode"}:     true, // protocol 2's bytes: _codecs.encode(text, "latin1")
}

func (d *decoder) global(module, name string) error {
	g := global{module, name}
	if !allowedGlobals[g] {
		return refused("global %.40q", module+"."+name)
	}
	d.push(g)
	return nil
}

// reduce is the REDUCE of fn on args, for the shapes Python gives the
// values of a datetime, and nothing else. No function is called.
func reduce(fn, args any) (any, error) {
	g, ok := fn.(global)
	if !ok {
		return nil, refused("REDUCE of a %s", typeName(fn))
	}
	t, ok := args.(*tuple)
	if !ok {
		return nil, refused("REDUCE with %s arguments", typeName(args))
	}
	a := t.items
	switch {
	case g == global{"_codecs", "encode"} && len(a) == 2:
		text, ok1 := a[0].(string)
		enc, ok2 := a[1].(string)
		if ok1 && ok2 && enc == "latin1" {
			return latin1(text)
		}
	case g == global{"pytz", "_UTC"} && len(a) == 0:
		return timezone{}, nil
	case g == global{"datetime", "timedelta"} && len(a) == 3:
		days, ok1 := a[0].(int64)
		secs, ok2 := a[1].(int64)
		us, ok3 := a[2].(int64)
		if ok1 && ok2 && ok3 {
			return timedelta{days, secs, us}, nil
		}
	case g == global{"datetime", "timezone"} && len(a) == 1:
		if td, ok := a[0].(timedelta); ok {
			return tzOf(td)
		}
	case g == global{"datetime", "datetime"} && (len(a) == 1 || len(a) == 2):
		state, ok := a[0].(pyBytes)
		if !ok {
			break
		}
		var tz *timezone
		if len(a) == 2 {
			z, ok := a[1].(timezone)
			if !ok {
				return nil, refused("a datetime whose tzinfo is a %s (UTC and fixed offsets are read)", typeName(a[1]))
			}
			tz = &z
		}
		return dateTimeOf(state, tz)
	}
	return nil, refused("REDUCE of %s.%s on %d arguments", g.module, g.name, len(a))
}

func latin1(text string) (pyBytes, error) {
	b := make(pyBytes, 0, len(text))
	for _, r := range text {
		if r > 0xff {
			return nil, corrupt("latin1 text beyond U+00FF")
		}
		b = append(b, byte(r))
	}
	return b, nil
}

// tzOf is datetime.timezone(td): a whole number of minutes, under a day.
func tzOf(td timedelta) (timezone, error) {
	total := td.days*86400 + td.seconds
	if td.micros != 0 || td.seconds < 0 || td.seconds >= 86400 || total%60 != 0 || total <= -86400 || total >= 86400 {
		return timezone{}, refused("a timezone offset of %d days %d s %d µs (whole minutes under a day are read)", td.days, td.seconds, td.micros)
	}
	return timezone{offset: int(total)}, nil
}

// dateTimeOf reads a datetime's 10-byte state: year (2 bytes, big-endian),
// month (its top bit is PEP 495's fold), day, hour, minute, second,
// microsecond (3 bytes, big-endian).
func dateTimeOf(b pyBytes, tz *timezone) (DateTime, error) {
	if len(b) != 10 {
		return DateTime{}, corrupt("a datetime state of %d bytes", len(b))
	}
	dt := DateTime{
		Year: int(b[0])<<8 | int(b[1]), Month: int(b[2] & 0x7f), Day: int(b[3]),
		Hour: int(b[4]), Minute: int(b[5]), Second: int(b[6]),
		Microsecond: int(b[7])<<16 | int(b[8])<<8 | int(b[9]),
	}
	if tz != nil {
		dt.Aware, dt.Offset = true, tz.offset
	}
	if !dt.valid() {
		return DateTime{}, corrupt("an invalid datetime %v", b)
	}
	return dt, nil
}

// converter turns what was read into plain Go values.
type converter struct{ budget int }

func (c *converter) value(v any, depth int, top bool) (any, error) {
	if c.budget--; c.budget < 0 {
		return nil, refused("more values than the pickle's size allows (shared lists repeated too often)")
	}
	switch v := v.(type) {
	case nil, bool, string, float64:
		return v, nil
	case int64:
		return int(v), nil
	case *big.Int:
		if v.Sign() > 0 && v.IsUint64() {
			return v.Uint64(), nil
		}
		return json.Number(v.String()), nil
	case *list:
		items, err := c.items(v.items, &v.visiting, depth+1)
		return items, err
	case *tuple:
		items, err := c.items(v.items, &v.visiting, depth+1)
		return Tuple(items), err
	case *dict:
		return c.dict(v, depth+1, false)
	case DateTime:
		if top {
			return v, nil
		}
		return nil, refused("a datetime below the top level")
	}
	return nil, refused("a %s as a value", typeName(v))
}

func (c *converter) items(in []any, visiting *bool, depth int) ([]any, error) {
	if depth > MaxDepth {
		return nil, refused("values nested more than %d deep", MaxDepth)
	}
	if *visiting {
		return nil, refused("a list or tuple that contains itself")
	}
	*visiting = true
	defer func() { *visiting = false }()
	out := make([]any, len(in))
	for i, x := range in {
		v, err := c.value(x, depth, false)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (c *converter) dict(dt *dict, depth int, top bool) (map[string]any, error) {
	if depth > MaxDepth {
		return nil, refused("values nested more than %d deep", MaxDepth)
	}
	if dt.visiting {
		return nil, refused("a dict that contains itself")
	}
	dt.visiting = true
	defer func() { dt.visiting = false }()
	out := make(map[string]any, len(dt.keys))
	for _, k := range dt.keys {
		v, err := c.value(dt.m[k], depth, top)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case string:
		return "str"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case *list:
		return "list"
	case *tuple:
		return "tuple"
	case *dict:
		return "dict"
	case global:
		return "global " + v.module + "." + v.name
	case pyBytes:
		return "bytes"
	case timezone:
		return "timezone"
	case timedelta:
		return "timedelta"
	case DateTime:
		return "datetime"
	case mark:
		return "mark"
	}
	return fmt.Sprintf("%T", v)
}
