

# ---------------------------------------------------------------- writing predict's CSV

def js_number(x):
    """x as JavaScript's String(x) writes it (predict's output): 0.5, 1e-7, 1."""
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # The decimal exponent n with abs(x) = 0.digits × 10^n.
    n = len(whole) + int(exponent or 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr if len(argv) != 2 else sys.stdout)
        return 0 if len(argv) == 2 else 2
    try:
        X = read_features(argv[1])
    except (DataError, OSError) as e:
        print(f"{os.path.basename(argv[0])}: {e}", file=sys.stderr)
        return 2
    probabilities = predict(X)
    out = sys.stdout
    out.write("probability,class,label\n")
    for p in probabilities:
        c = 1 if p > 0.5 else 0
        out.write(js_number(float(p)) + "," + str(c) + "," + LABEL_FIELDS[c] + "\n")
    return 0
