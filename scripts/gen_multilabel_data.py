#!/usr/bin/env python3
"""gen_multilabel_data.py - write seqsent's small bundled multi-label data (tests/data/).

SYNTHETIC data written by the seqsent project itself: short English
restaurant reviews composed at random (fixed seed: every run writes the same
bytes) from the hand-written clause lists below.  Nothing is copied from any
corpus.

A review is 1 to 4 clauses, each about one topic (food, service, price,
location, ambience), praising or blaming it, joined by "and", "but", ",",
"." in random order, sometimes with a topic-free filler ("we went on a
Friday").  Its labels are the topics of its clauses: 1 to 4 labels, most
rows 2 or more.  Topic words overlap a little ("the wait" is service, "worth
the wait" food; "view" location or ambience) so the labels are not a word
lookup.

Files written (paths relative to the repository root):

  tests/data/topics_en.train.txt   fastText lines: "__label__food __label__price text"
  tests/data/topics_en.train.csv   the same rows as CSV: labels,text with labels joined by '|'
  tests/data/topics_en.test.txt    held-out rows, fastText lines
  tests/data/topics_en.test.csv    the same as CSV

Usage: python3 scripts/gen_multilabel_data.py [OUTDIR]   (default tests/data)
"""
import os
import random
import sys

TOPICS = {
    "food": [
        "the pasta was perfectly cooked", "the soup was cold and bland", "the steak was juicy",
        "my fish tasted old", "the dumplings were delicious", "dessert was far too sweet",
        "the bread was fresh and warm", "portions of curry were tiny and salty", "every dish was full of flavour",
        "the salad was limp", "the pizza crust was crisp", "the noodles were worth the wait",
        "the chef really knows spices", "the burger was dry", "the tacos were amazing",
    ],
    "service": [
        "the waiter was friendly", "staff ignored us for twenty minutes", "our server was attentive",
        "the waitress forgot our drinks", "service was quick", "the manager was rude to us",
        "they brought the bill without asking", "the staff smiled all evening", "we waited an hour for a table",
        "the host found us a seat at once", "nobody refilled our water", "the wait for the food was endless",
    ],
    "price": [
        "it was cheap", "prices are far too high", "good value for money", "the bill was a shock",
        "a fair price for the portions", "wine costs twice what it should", "the lunch menu is a bargain",
        "we paid too much", "affordable for students", "it is overpriced",
        "the set menu is great value", "an expensive night out",
    ],
    "location": [
        "it is right next to the station", "parking is impossible", "easy to find in the old town",
        "the street is hard to reach by bus", "it sits by the river with a view of the bridge", "the area is noisy with traffic",
        "a short walk from the hotel", "hidden in a car park behind the mall", "close to the beach",
        "far from the centre", "on a quiet corner near the park",
    ],
    "ambience": [
        "the room was cosy", "music was so loud we could not talk", "candles made it romantic",
        "the dining room felt cramped", "lovely decor", "the lights were harsh",
        "a calm and relaxed mood", "the tables were sticky and the room smelled", "the terrace has a lovely view",
        "it was dark and gloomy inside", "a warm atmosphere", "the chairs were uncomfortable",
    ],
}
FILLERS = [
    "we went on a friday", "i came with my parents", "first visit", "we had a booking",
    "it was my birthday", "we came after work", "a colleague told us about it", "second time here",
]
JOINS = [" and ", " but ", ", ", ". ", " ; also "]
WEIGHTS = {"food": 6, "service": 4, "price": 3, "location": 2, "ambience": 3}


def review(rnd):
    n = rnd.choices([1, 2, 3, 4], weights=[2, 5, 4, 1])[0]
    names = list(TOPICS)
    topics = []
    while len(topics) < n:
        t = rnd.choices(names, weights=[WEIGHTS[x] for x in names])[0]
        if t not in topics:
            topics.append(t)
    clauses = [rnd.choice(TOPICS[t]) for t in topics]
    if rnd.random() < 0.3:
        clauses.insert(rnd.randrange(len(clauses) + 1), rnd.choice(FILLERS))
    text = clauses[0]
    for c in clauses[1:]:
        text += rnd.choice(JOINS) + c
    return sorted(topics), text[0].upper() + text[1:] + "."


def write(outdir, name, rows):
    with open(os.path.join(outdir, name + ".txt"), "w", encoding="utf-8", newline="\n") as f:
        for labels, text in rows:
            f.write(" ".join("__label__" + l for l in labels) + " " + text + "\n")
    with open(os.path.join(outdir, name + ".csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("labels,text\n")
        for labels, text in rows:
            f.write("|".join(labels) + ',"' + text.replace('"', '""') + '"\n')


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "data")
    rnd = random.Random(20261202)
    rows = [review(rnd) for _ in range(560)]
    write(outdir, "topics_en.train", rows[:400])
    write(outdir, "topics_en.test", rows[400:])


if __name__ == "__main__":
    main()
