

# ---------------------------------------------------------------- reading the CSV file
# The same rules as `backprop-map predict`: separator (tab, semicolon or comma) and header
# detected from the first 50 records, RFC 4180 quotes, blank lines skipped, a decimal comma read
# after a semicolon or tab, the model's feature columns found by name (exact, else ignoring case).

class DataError(Exception):
    pass


# The characters JavaScript's String.prototype.trim() removes, so that names compare as predict's do.
_TRIMMED = (" \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
            "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
_NUMBER = re.compile(r"[+-]?(\d+(?:[.]\d*)?|[.]\d+)(?:[eE][+-]?\d+)?")
_NUMBER_COMMA = re.compile(r"[+-]?(\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def parse_number(s, comma_decimal):
    """The plain decimal number in s (spaces and tabs around it allowed), else nan."""
    s = s.strip(" \t")
    if not (_NUMBER_COMMA if comma_decimal else _NUMBER).fullmatch(s):
        return math.nan
    return float(s.replace(",", "."))


def is_number(s, comma_decimal):
    return math.isfinite(parse_number(s, comma_decimal))


def read_records(text, delimiter, file_name, max_records=None):
    """The records of text as lists of (raw, quoted) fields; blank lines are skipped.

    raw is the field's text inside its quotes with "" made ", untrimmed.
    """
    records = []
    n = len(text)
    pos = 1 if text.startswith("\ufeff") else 0
    line = 1
    while max_records is None or len(records) < max_records:
        # Skip blank lines.
        while True:
            p = pos
            while p < n and (text[p] == " " or (text[p] == "\t" and delimiter != "\t")):
                p += 1
            if p >= n:
                return records
            if text[p] in "\r\n":
                pos = p + (2 if text.startswith("\r\n", p) else 1)
                line += 1
                continue
            break
        record_line = line
        fields = []
        while True:
            q = pos
            while q < n and text[q] == " ":
                q += 1
            if q < n and text[q] == '"':
                open_line = line
                i = q + 1
                parts = []
                while True:
                    j = text.find('"', i)
                    if j < 0:
                        raise DataError(f"{file_name}, line {open_line}: a quoted field opens here but its "
                                        "closing quote (\") never comes.")
                    chunk = text[i:j]
                    line += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
                    parts.append(chunk)
                    if text.startswith('"', j + 1):
                        parts.append('"')
                        i = j + 2
                        continue
                    i = j + 1
                    break
                while i < n and text[i] == " ":
                    i += 1
                if i < n and text[i] not in (delimiter, "\r", "\n"):
                    raise DataError(f"{file_name}, line {line}: unexpected text after the closing quote of a "
                                    "quoted field.")
                fields.append(("".join(parts), True))
            else:
                i = pos
                while i < n and text[i] not in (delimiter, "\r", "\n"):
                    i += 1
                fields.append((text[pos:i], False))
            if i >= n:
                pos = n
                break
            if text[i] == delimiter:
                pos = i + 1
                continue
            pos = i + (2 if text.startswith("\r\n", i) else 1)
            line += 1
            break
        records.append((record_line, fields))
    return records


def value(field):
    return field[0].strip(_TRIMMED)


def sniff(text, file_name):
    """(delimiter, has_header, columns, fields per record), from the first 50 records."""
    best = None
    quote_error = None
    any_records = False
    for delimiter in ("\t", ";", ","):
        try:
            sample = read_records(text, delimiter, file_name, 50)
        except DataError as e:
            quote_error = quote_error or e
            continue
        if not sample:
            continue
        any_records = True
        records = [[value(f) for f in fields] for _, fields in sample]
        counts = {}
        for r in records:
            counts[len(r)] = counts.get(len(r), 0) + 1
        mode, mode_count = 0, 0
        for length, k in counts.items():
            if k > mode_count or (k == mode_count and length > mode):
                mode, mode_count = length, k
        if mode < 2:
            continue
        comma = delimiter != ","
        numeric = sum(1 for r in records for cell in r if is_number(cell, comma))
        consistent = mode_count / len(records)
        if best is None or consistent > best[2] or (consistent == best[2] and numeric > best[3]):
            best = (delimiter, records, consistent, numeric)
    if best is None:
        if quote_error is not None:
            raise quote_error
        if not any_records:
            raise DataError(f"{file_name} is empty: it has no rows of data.")
        raise DataError(f"{file_name} has only one column.")
    delimiter, records = best[0], best[1]
    comma = delimiter != ","
    first = records[0]
    has_header = looks_like_header(records, comma)
    data = records[1:] if has_header else records
    kept = len(first)
    while kept > 2 and first[kept - 1] == "" and all((r[kept - 1] if kept - 1 < len(r) else "") == "" for r in data):
        kept -= 1
    if has_header:
        columns = [name or f"col{j + 1}" for j, name in enumerate(first[:kept])]
    else:
        columns = [f"col{j + 1}" for j in range(kept)]
    return delimiter, has_header, columns, len(first)


def looks_like_header(records, comma):
    """A first record without numbers is a header; else its columns vote, as predict's do."""
    first, below = records[0], records[1:]
    if not any(is_number(cell, comma) for cell in first):
        return True
    if not below:
        return False
    votes = 0
    for j, cell in enumerate(first):
        column = [r[j] if j < len(r) else "" for r in below]
        if all(is_number(c, comma) for c in column):
            votes += -1 if is_number(cell, comma) else 1
        elif all(c != "" and not is_number(c, comma) for c in column):
            words = set(column)
            if len(words) <= 2:
                votes += -1 if cell in words else 1
    return votes > 0


def read_features(path):
    """X (n_x × m) of the model's feature columns in a CSV/TSV file."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{path} is not UTF-8 (byte {e.start + 1}); save it as UTF-8 and try again.")
    delimiter, has_header, columns, fields = sniff(text, path)
    comma = delimiter != ","
    n_x = len(FEATURE_NAMES)
    row_of = [None] * len(columns)
    if has_header:
        missing = []
        for r, name in enumerate(FEATURE_NAMES):
            j = columns.index(name) if name in columns else next(
                (k for k, c in enumerate(columns) if c.lower() == name.lower()), -1)
            if j < 0 or row_of[j] is not None:
                missing.append(name)
            else:
                row_of[j] = r
        if missing:
            raise DataError(f"{path} lacks the feature columns {', '.join(map(repr, missing))} that the model "
                            f"was trained on. Its columns are {', '.join(map(repr, columns))}.")
    elif len(columns) in (n_x, n_x + 1):
        row_of[:n_x] = range(n_x)
    else:
        raise DataError(f"{path} has {len(columns)} columns and no header row, but the model expects {n_x} "
                        "features, optionally followed by a label column.")
    records = read_records(text, delimiter, path)
    if has_header:
        records = records[1:]
    if not records:
        raise DataError(f"{path} has no rows of data.")
    X = np.empty((n_x, len(records)))  # (n_x × m)
    for k, (line, record) in enumerate(records):
        if len(record) < len(columns) or len(record) > fields or any(value(f) != "" for f in record[len(columns):]):
            raise DataError(f"{path}, line {line}: this row has {len(record)} fields, but the table has "
                            f"{len(columns)} columns.")
        for j, r in enumerate(row_of):
            if r is None:
                continue
            cell = record[j]
            x = parse_number(value(cell) if cell[1] else cell[0], comma)
            if not math.isfinite(x):
                raise DataError(f"{path}, line {line}, column {j + 1} ({columns[j]!r}): "
                                f"{value(cell)!r} is not a finite number.")
            X[r, k] = x
    return X
