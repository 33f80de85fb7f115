#!/usr/bin/env bats
# `hostctx junit JUNIT.xml SIDECAR`: the record's host as hostctx.*
# properties of every <testsuite>, on the shapes pytest, Maven Surefire,
# go-junit-report and ctest write (tests/fixtures/junit), idempotent,
# the rest of the file kept, and bad input refused with the file
# untouched.
#
# The subcommand needs libxml2.  A build without it fails this file
# (CI has libxml2-dev): only HOSTCTX_NO_LIBXML=1 says the build is
# deliberately without it, and then only the error is tested.

bats_require_minimum_version 1.5.0

setup() {
	: "${HOSTCTX:?HOSTCTX must name the hostctx binary}"
	: "${HOSTCTX_RUN:?HOSTCTX_RUN must name the hostctx-run binary}"
	[ -x "$HOSTCTX" ] || { echo "not built: $HOSTCTX" >&2; return 1; }
	T=$BATS_TEST_TMPDIR
	FX="$BATS_TEST_DIRNAME/../fixtures/junit"
	MKROOT="$BATS_TEST_DIRNAME/../fixtures/mkroot"
	SAMPLES="pytest surefire go-junit-report ctest"
	cd "$T" || return 1
	if "$HOSTCTX" junit --help | grep -q 'built without libxml2'; then
		NO_LIBXML=1
		[ "${HOSTCTX_NO_LIBXML:-0}" = 1 ] || {
			echo "hostctx was built without libxml2: install libxml2-dev and rebuild" \
				"(HOSTCTX_NO_LIBXML=1 if that is deliberate)" >&2
			return 1
		}
	else
		NO_LIBXML=0
	fi
}

# shellcheck source=valgrind.bash
. "$BATS_TEST_DIRNAME/valgrind.bash"

hx() {
	under_exec_prefix "$HOSTCTX" "$@"
}

hrun() {
	under_exec_prefix "$HOSTCTX_RUN" "$@"
}

needs_libxml() {
	[ "$NO_LIBXML" = 0 ] || skip "built without libxml2 (HOSTCTX_NO_LIBXML=1)"
}

show_run() {
	echo "status: $status"
	echo "stdout: $output"
	echo "stderr: ${stderr:-}"
}

# A complete record of `true` (once per test).
record() {
	[ -e rec.json ] || hrun -o rec.json -- true
}

# The hostctx.* properties of FILE, "SUITE-INDEX NAME=VALUE" per line;
# also checks that every <testsuite> has exactly one <properties>, as its
# first element child, and no hostctx.* name twice.
ours() {
	python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else []
suites += [s for s in root.iter("testsuite") if s is not root]
assert suites, "no testsuite"
for i, s in enumerate(suites):
    props = s.findall("properties")
    assert len(props) == 1, (i, len(props))
    assert list(s)[0] is props[0], (i, "properties is not the first child")
    names = [p.get("name") for p in props[0].findall("property")]
    mine = [n for n in names if n.startswith("hostctx.")]
    assert len(mine) == len(set(mine)), (i, mine)
    for p in props[0].findall("property"):
        if p.get("name").startswith("hostctx."):
            print("%d %s=%s" % (i, p.get("name"), p.get("value")))
EOF
}

# FILE in canonical form without hostctx.* properties, <properties> left
# empty and whitespace-only text: what must be the same as the original.
canonical_rest() {
	python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
tb = ET.TreeBuilder(insert_comments=True, insert_pis=True)
root = ET.parse(sys.argv[1], ET.XMLParser(target=tb)).getroot()
for parent in list(root.iter()):
    for c in list(parent):
        if c.tag == "property" and c.get("name", "").startswith("hostctx."):
            parent.remove(c)
for parent in list(root.iter()):
    for c in list(parent):
        if c.tag == "properties" and len(c) == 0:
            parent.remove(c)
for e in root.iter():
    if e.text is not None and not e.text.strip():
        e.text = None
    if e.tail is not None and not e.tail.strip():
        e.tail = None
print(ET.canonicalize(ET.tostring(root, encoding="unicode"), with_comments=True))
EOF
}

# The file parses as XML (minidom, another parser than libxml2).
parses() {
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
}

# The value of property NAME of the first suite of FILE.
prop() {	# FILE NAME
	ours "$1" | sed -n "s/^0 $2=//p"
}

# hx junit failed: status 2, one stderr line naming $1, nothing on stdout.
assert_refused() {
	show_run
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "hostctx: "* ]]
	[[ ${stderr_lines[0]} == *"$1"* ]]
}

@test "libxml2: built with it, or (HOSTCTX_NO_LIBXML=1 only) one line and exit 2" {
	cp "$FX/ctest.xml" t.xml
	if [ "$NO_LIBXML" = 0 ]; then
		run --separate-stderr hx junit --help
		[ "$status" -eq 0 ]
		[[ $output != *libxml2* ]]
		return
	fi
	run --separate-stderr hx junit t.xml rec.json
	assert_refused "built without libxml2"
	cmp t.xml "$FX/ctest.xml"
}

@test "each sample: every testsuite gets the properties, the output parses" {
	needs_libxml
	record
	want_kernel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pre"]["kernel_release"])' rec.json)
	want_version=$(sed -n 's/^#define HOSTCTX_VERSION "\(.*\)"/\1/p' "$BATS_TEST_DIRNAME/../../include/hostctx.h")
	for s in $SAMPLES; do
		cp "$FX/$s.xml" "$s.xml"
		run --separate-stderr hx junit "$s.xml" rec.json
		show_run
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ -z "$stderr" ]
		parses "$s.xml"
		ours "$s.xml" >"$s.props"
		suites=$(python3 -c 'import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(len([r] if r.tag == "testsuite" else r.findall("testsuite")))' "$s.xml")
		for ((i = 0; i < suites; i++)); do
			grep -qx "$i hostctx.sidecar=rec.json" "$s.props"
			grep -qx "$i hostctx.exit=0" "$s.props"
			grep -qx "$i hostctx.complete=true" "$s.props"
			grep -qx "$i hostctx.kernel=$want_kernel" "$s.props"
			grep -qx "$i hostctx.version=$want_version" "$s.props"
			grep -qE "^$i hostctx.changes=[0-9]+$" "$s.props"
			grep -qE "^$i hostctx.check.warnings=[0-9]+$" "$s.props"
		done
		# nothing for suites that are not there
		run ! grep -q "^$suites " "$s.props"
	done
	# go-junit-report: three suites, the third had no <properties>
	[ "$(cut -d' ' -f1 go-junit-report.props | sort -u | wc -l)" -eq 3 ]
}

@test "idempotent: two runs give the bytes of one; the rest of the file is kept" {
	needs_libxml
	record
	for s in $SAMPLES; do
		cp "$FX/$s.xml" "$s.xml"
		hx junit "$s.xml" rec.json
		cp "$s.xml" "$s.once"
		hx junit "$s.xml" rec.json
		cmp "$s.once" "$s.xml"
		[ "$(canonical_rest "$s.xml")" = "$(canonical_rest "$FX/$s.xml")" ]
	done
	# the other properties stay where they were, in their order
	python3 - <<'EOF'
import xml.etree.ElementTree as ET
names = [p.get("name") for p in ET.parse("pytest.xml").getroot().find("testsuite/properties")]
assert names[:2] == ["ci_job", "python"], names
# the testcase's own properties are not a suite's: untouched
case = ET.parse("pytest.xml").getroot().find("testsuite/testcase[@name='test_log']/properties")
assert [p.get("name") for p in case] == ["issue"]
EOF
	# outside <properties> not a line changes in an indented file
	diff <(grep -v 'hostctx\.' surefire.xml) "$FX/surefire.xml"
}

@test "a second record replaces the first's properties: as if only it had been added" {
	needs_libxml
	record
	hrun -o failed.json -- /nonexistent || true
	for s in $SAMPLES; do
		cp "$FX/$s.xml" "$s.xml"
		cp "$FX/$s.xml" "$s.direct"
		hx junit "$s.xml" rec.json
		hx junit "$s.xml" failed.json
		hx junit "$s.direct" failed.json
		cmp "$s.direct" "$s.xml"
	done
	[ "$(prop surefire.xml hostctx.sidecar)" = failed.json ]
}

@test "a record whose command did not start: exit 'exec ENOENT', no changes, the check's warning" {
	needs_libxml
	hrun -o failed.json -- /nonexistent || true
	cp "$FX/ctest.xml" t.xml
	run --separate-stderr hx junit t.xml failed.json
	show_run
	[ "$status" -eq 0 ]
	[ "$(prop t.xml hostctx.exit)" = "exec ENOENT" ]
	[ -z "$(prop t.xml hostctx.changes)" ]
	[[ ,$(prop t.xml hostctx.check.warning_ids), == *,run-incomplete,* ]]
	hrun -o code.json -- sh -c 'exit 3' || true
	hx junit t.xml code.json
	[ "$(prop t.xml hostctx.exit)" = 3 ]
}

@test "governors and boost in short form (a captured tree)" {
	needs_libxml
	"$MKROOT" "$T/tree" --cpus 4 --governor powersave >/dev/null
	cpu=$T/tree/sys/devices/system/cpu
	mkdir -p "$cpu/cpufreq"
	echo 1 >"$cpu/cpufreq/boost"
	hrun --root "$T/tree" -o mixed.json -- true
	for n in 2 3; do echo performance >"$cpu/cpu$n/cpufreq/scaling_governor"; done
	echo 0 >"$cpu/cpufreq/boost"
	hrun --root "$T/tree" -o split.json -- true
	cp "$FX/surefire.xml" t.xml
	hx junit t.xml mixed.json
	[ "$(prop t.xml hostctx.governor)" = powersave ]
	[ "$(prop t.xml hostctx.boost)" = on ]
	[[ ,$(prop t.xml hostctx.check.warning_ids), == *,governor,* ]]
	[ "$(prop t.xml hostctx.check.warnings)" -ge 2 ]
	hx junit t.xml split.json
	[ "$(prop t.xml hostctx.governor)" = "powersave 0-1, performance 2-3" ]
	[ "$(prop t.xml hostctx.boost)" = off ]
}

@test "shapes: bare or empty <testsuite>, nested suites, comments, entities, Latin-1" {
	needs_libxml
	record
	printf '<testsuite name="e" tests="0"/>\n' >empty.xml
	printf '<?xml version="1.0"?>\n<testsuites>\n  <testsuite name="a">\n  </testsuite>\n</testsuites>\n' >blank.xml
	cat >nested.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<testsuites>
  <?ci keep this?>
  <testsuite name="outer">
    <!-- before the first case -->
    <testcase name="a"/>
    <testsuite name="inner">
      <testcase name="b">&amp; &#169; &lt;tag&gt;</testcase>
    </testsuite>
  </testsuite>
</testsuites>
EOF
	printf '<?xml version="1.0" encoding="ISO-8859-1"?>\n<testsuite name="caf\xe9">\n  <testcase name="\xfc"/>\n</testsuite>\n' >latin1.xml
	cat >dtd.xml <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE testsuite [
<!ENTITY who "hostctx">
]>
<testsuite name="&who;">
  <testcase name="x">&who;</testcase>
</testsuite>
EOF
	# what the fuzzer found (tests/fuzz/fuzz_junit.c): text in <properties>
	# next to the indentation, a processing instruction first
	printf '<testsuite>\n  <properties>x<property name="a" value="1"/>text</properties>\n</testsuite>\n' >text.xml
	printf '<?xml-stylesheet href="junit.xsl"?>\n<testsuite/>\n' >pi.xml
	# UTF-16 with a byte-order mark (as Windows tools write)
	printf '<?xml version="1.0" encoding="UTF-16"?>\n<testsuite name="w">\n  <testcase name="a"/>\n</testsuite>\n' |
		iconv -f UTF-8 -t UTF-16 >utf16.xml
	for f in empty blank nested latin1 dtd text pi utf16; do
		cp "$f.xml" "$f.orig"
		run --separate-stderr hx junit "$f.xml" rec.json
		show_run
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		parses "$f.xml"
		[ "$(canonical_rest "$f.xml")" = "$(canonical_rest "$f.orig")" ]
		cp "$f.xml" "$f.once"
		hx junit "$f.xml" rec.json
		cmp "$f.once" "$f.xml"
	done
	# nested: both suites, the comment and the processing instruction kept
	[ "$(ours nested.xml | cut -d' ' -f1 | sort -u | tr '\n' ' ')" = "0 1 " ]
	grep -q '<!-- written by hand -->' nested.xml
	grep -q '<?ci keep this?>' nested.xml
	# the properties go after the comment, before the first case
	python3 - <<'EOF'
import xml.etree.ElementTree as ET
outer = ET.parse("nested.xml").getroot().find("testsuite")
assert [c.tag for c in outer][:2] == ["properties", "testcase"], [c.tag for c in outer]
EOF
	# Latin-1 stays Latin-1, declared so
	head -1 latin1.xml | grep -q 'encoding="ISO-8859-1"'
	grep -qa $'caf\xe9' latin1.xml
	# the entity stays a reference, its declaration stays
	grep -q '<!ENTITY who "hostctx">' dtd.xml
	grep -q 'name="&who;"' dtd.xml
	# no declaration was added where there was none
	[ "$(head -c 10 empty.xml)" = '<testsuite' ]
	[ "$(head -c 16 pi.xml)" = '<?xml-stylesheet' ]
	iconv -f UTF-16 -t UTF-8 utf16.xml | grep -q '^<?xml version="1.0" encoding="UTF-16"?>$'
	iconv -f UTF-16 -t UTF-8 utf16.xml | grep -q 'name="hostctx.exit" value="0"'
	# indentation follows the file's
	grep -q '^    <properties>$' blank.xml
	grep -q '^      <property name="hostctx.exit" value="0"/>$' blank.xml
}

@test "external entities and DTDs are never loaded" {
	needs_libxml
	record
	echo "SECRET-$$" >secret.txt
	cat >ext.xml <<EOF
<?xml version="1.0"?>
<!DOCTYPE testsuite SYSTEM "http://127.0.0.1:9/junit.dtd" [
<!ENTITY leak SYSTEM "file://$T/secret.txt">
]>
<testsuite name="x"><testcase name="y">&leak;</testcase></testsuite>
EOF
	run --separate-stderr hx junit ext.xml rec.json
	show_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run ! grep -q SECRET ext.xml
	grep -q '&leak;' ext.xml
	# billion laughs: refused by libxml2's amplification limit, or kept unexpanded
	{
		echo '<?xml version="1.0"?><!DOCTYPE testsuite [<!ENTITY a "aaaaaaaaaa">'
		prev=a
		for e in b c d e f g h i j; do
			echo "<!ENTITY $e \"&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;&$prev;\">"
			prev=$e
		done
		echo ']><testsuite name="&j;"/>'
	} >lol.xml
	run --separate-stderr hx junit lol.xml rec.json
	show_run
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	[ "$(stat -c %s lol.xml)" -lt 10000 ]
}

@test "malformed XML, not JUnit, not a file: exit 2, one line, the file untouched" {
	needs_libxml
	record
	printf '<testsuites><testsuite name="a">' >truncated.xml
	printf '<testsuites><testsuite></testsuites>' >mismatch.xml
	: >empty.xml
	printf '<?xml version="1.0"?>\n<html><body/></html>\n' >html.xml
	head -c 3000 /dev/urandom >binary.xml
	printf '<testsuite/>\n<testsuite/>\n' >tworoots.xml
	printf '<?xml version="1.0" encoding="NO-SUCH-CHARSET"?><testsuite/>' >charset.xml
	# libxml2 would write UTF-7 so that it does not read back
	printf '<?xml version="1.0" encoding="UTF-7"?>\n<testsuite name="a"/>\n' >utf7.xml
	for f in truncated mismatch empty html binary tworoots charset utf7; do
		cp "$f.xml" "$f.orig"
		inode=$(stat -c %i "$f.xml")
		run --separate-stderr hx junit "$f.xml" rec.json
		assert_refused "$f.xml"
		cmp "$f.orig" "$f.xml"
		[ "$(stat -c %i "$f.xml")" = "$inode" ]
	done
	run --separate-stderr hx junit html.xml rec.json
	[[ $stderr == *"not a JUnit XML file: the root element is <html>"* ]]
	run --separate-stderr hx junit mismatch.xml rec.json
	[[ $stderr == *"not well-formed XML: line 1: "* ]]
	# a directory, a symlink (replacing it would replace the link)
	mkdir dir.xml
	run --separate-stderr hx junit dir.xml rec.json
	assert_refused dir.xml
	cp "$FX/ctest.xml" real.xml
	ln -s real.xml link.xml
	run --separate-stderr hx junit link.xml rec.json
	assert_refused "link.xml: not a regular file"
	cmp real.xml "$FX/ctest.xml"
	run --separate-stderr hx junit missing.xml rec.json
	assert_refused "missing.xml"
	[ ! -e missing.xml ]
}

@test "a missing, invalid or bare-snapshot sidecar: exit 2, the file untouched" {
	needs_libxml
	cp "$FX/go-junit-report.xml" t.xml
	inode=$(stat -c %i t.xml)
	echo '{"schema": "hostctx-sidecar/1", "pre": 3}' >bad.json
	echo 'not json' >garbage.json
	hx snapshot --fields=seed >snap.json
	for sc in missing.json bad.json garbage.json snap.json; do
		run --separate-stderr hx junit t.xml "$sc"
		assert_refused "$sc"
		cmp t.xml "$FX/go-junit-report.xml"
		[ "$(stat -c %i t.xml)" = "$inode" ]
	done
}

@test "the mode is kept; the sidecar may be standard input; --no-sandbox: the same bytes" {
	needs_libxml
	record
	cp "$FX/pytest.xml" a.xml
	chmod 600 a.xml
	hx junit a.xml rec.json
	[ "$(stat -c %a a.xml)" = 600 ]
	cp "$FX/pytest.xml" b.xml
	hx junit b.xml - <rec.json
	[ "$(prop b.xml hostctx.sidecar)" = - ]
	cp "$FX/pytest.xml" c.xml
	hx junit --no-sandbox c.xml rec.json
	cmp a.xml c.xml
}

@test "the parsing child is sandboxed: writes, sockets and exec fail inside" {
	needs_libxml
	[ -z "${EXEC_PREFIX:-}" ] || skip "valgrind cannot run a seccomp filter: the sandbox is off under it"
	pkg-config --exists libseccomp 2>/dev/null || [ "${HOSTCTX_HAVE_SECCOMP:-}" = 1 ] ||
		skip "built without libseccomp"
	record
	cp "$FX/ctest.xml" t.xml
	run --separate-stderr env HOSTCTX_SANDBOX_SELFTEST="$T/created" "$HOSTCTX" junit t.xml rec.json 3>"$T/fd3"
	show_run
	[ "$status" -eq 0 ]
	[[ $stderr == *"hostctx: sandbox selftest (parsing): open-for-write EPERM, write-fd3 EPERM, socket EPERM, exec EPERM, open-read-only ok, openat2 ENOSYS"* ]]
	[ ! -e "$T/created" ]
	[ ! -s "$T/fd3" ]
	# and the file was still rewritten, by the parent
	[ "$(prop t.xml hostctx.exit)" = 0 ]
}

@test "usage: two operands, JUNIT.xml not standard input, unknown options" {
	run --separate-stderr hx junit --help
	[ "$status" -eq 0 ]
	[[ $output == "Usage: hostctx junit"* ]]
	for args in "" "a.xml" "a.xml b.json c" "--bogus a.xml b.json" "- rec.json"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr hx junit $args
		show_run
		[ "$status" -eq 2 ]
		[ "${stderr_lines[-1]}" = "Try 'hostctx --help'." ]
		[[ ${stderr_lines[0]} == "hostctx: junit: "* ]]
	done
}
