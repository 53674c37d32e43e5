"""html_tree.py — a small DOM built with html.parser, enough to ask a page the questions the
end-to-end tests ask: elements by tag, class and attribute, their text, their nesting.

The builder is strict about what our own templates must get right (every non-void element
closed, no stray end tags) and records any problem in Document.problems instead of failing,
so a test can decide whether nesting matters to it."""

from html.parser import HTMLParser

VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


class Element:
    __slots__ = ("tag", "attrs", "children", "parent", "line")

    def __init__(self, tag, attrs, parent, line=0):
        self.tag = tag
        self.attrs = {}
        for name, value in attrs:
            self.attrs.setdefault(name, value if value is not None else "")
        self.children = []
        self.parent = parent
        self.line = line

    # ---- attributes ------------------------------------------------------------------------
    @property
    def classes(self):
        return set(self.attrs.get("class", "").split())

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def has_class(self, cls):
        return cls in self.classes

    # ---- text ------------------------------------------------------------------------------
    def raw_text(self):
        parts = []
        for child in self.children:
            if isinstance(child, Element):
                parts.append(child.raw_text())
            else:
                parts.append(child)
        return "".join(parts)

    def text(self):
        """The text content with whitespace collapsed and trimmed."""
        return " ".join(self.raw_text().split())

    # ---- searching -------------------------------------------------------------------------
    def iter(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        """Descendants matching a tag name, a class, and attribute values (attr=True means
        'present'). Attribute names with '-' are written with '_' (data_x -> data-x)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        found = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            ok = True
            for name, value in wanted.items():
                if value is True:
                    ok = name in el.attrs
                else:
                    ok = el.attrs.get(name) == value
                if not ok:
                    break
            if ok:
                found.append(el)
        return found

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def inside(self, tag=None, cls=None):
        """Is this element below one matching tag / class?"""
        for a in self.ancestors():
            if (tag is None or a.tag == tag) and (cls is None or cls in a.classes):
                return True
        return False

    def __repr__(self):
        cls = self.attrs.get("class")
        return "<%s%s>" % (self.tag, ' class="%s"' % cls if cls else "")


class Document(Element):
    def __init__(self):
        super().__init__("#document", [], None)
        self.doctype = None
        self.comments = []
        self.problems = []


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doc = Document()
        self.stack = [self.doc]

    def handle_decl(self, decl):
        self.doc.doctype = decl

    def handle_comment(self, data):
        self.doc.comments.append(data)

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        el = Element(tag, attrs, self.stack[-1], line)
        self.stack[-1].children.append(el)
        if tag not in VOID_ELEMENTS:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        line = self.getpos()[0]
        el = Element(tag, attrs, self.stack[-1], line)
        self.stack[-1].children.append(el)

    def handle_endtag(self, tag):
        line = self.getpos()[0]
        if tag in VOID_ELEMENTS:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                for unclosed in self.stack[i + 1 :]:
                    self.doc.problems.append(
                        "line %d: <%s> (opened on line %d) closed implicitly by </%s>"
                        % (line, unclosed.tag, unclosed.line, tag)
                    )
                del self.stack[i:]
                return
        self.doc.problems.append("line %d: stray </%s>" % (line, tag))

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def close(self):
        super().close()
        for unclosed in self.stack[1:]:
            self.doc.problems.append("<%s> opened on line %d is never closed" % (unclosed.tag, unclosed.line))
        del self.stack[1:]


def parse(html):
    """Parses an HTML string into a Document."""
    b = _Builder()
    b.feed(html)
    b.close()
    return b.doc
