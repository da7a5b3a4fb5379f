#!/usr/bin/env python3
"""Check a HEPData submission directory written by `darksens export hepdata` with the
`hepdata-validator` package (the full-submission check HEPData itself runs on upload).

Usage: python3 tools/hepdata/validate.py DIR     (exit 0 if valid, 1 with the messages if not)
Needs: pip install hepdata-validator==0.3.6
"""
import sys

from hepdata_validator.full_submission_validator import FullSubmissionValidator


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    validator = FullSubmissionValidator()
    valid = validator.validate(directory=sys.argv[1])
    for path, messages in validator.get_messages().items():
        for message in messages:
            print(f"{path}: {message.message}", file=sys.stderr)
    print(f"{sys.argv[1]}: {'valid' if valid else 'INVALID'} HEPData submission")
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
