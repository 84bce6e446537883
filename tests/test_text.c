/* test_text.c - normalisation, English tokenizer, Chinese segmentation,
 * segmentation dictionary (load / serialise), toklist. */
#include "test.h"
#include "text/normalize.h"
#include "text/segdict.h"
#include "text/hmm.h"
#include "text/segment.h"
#include "text/tokenize.h"
#include "text/toklist.h"
#include "text/trie.h"
#include "text/units.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <utf8proc.h>

/* Tokens of text joined with " | " (static buffer, valid until next call). */
static const char *tokj(const tokenizer *t, const char *text, size_t len)
{
    static char out[8192];
    toklist tl = {0};
    tokenize(t, text, len, &tl);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < tl.n && n < sizeof out - 1; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? " | " : "", toklist_get(&tl, i));
    toklist_free(&tl);
    return out;
}

/* Non-empty, valid UTF-8, no spaces or control characters. */
static int valid_token(const char *s)
{
    size_t len = strlen(s), i = 0;
    if (!len) return 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0 || cp <= ' ' || cp == 0x7F) return 0;
        i += (size_t)k;
    }
    return 1;
}

static const char *tok(const tokenizer *t, const char *text) { return tokj(t, text, strlen(text)); }

static tokenizer *mk(int normalize, int squeeze, tok_lang lang, const segdict *d)
{
    tok_config c;
    tok_config_default(&c);
    c.normalize = normalize;
    c.squeeze = squeeze;
    c.lang = lang;
    return tokenizer_new(&c, d);
}

static char *write_tmp(const char *content, size_t len)
{
    char *path = xstrdup("/tmp/test_text_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return path;
    if (write(fd, content, len) != (ssize_t)len) perror("write");
    close(fd);
    return path;
}

/* Is line (without its '\n') one of the lines of blob? */
static int has_line(const char *blob, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = blob; (p = strstr(p, line)); p++)
        if ((p == blob || p[-1] == '\n') && p[n] == '\n') return 1;
    return 0;
}

static void test_config(void)
{
    tok_config c;
    tok_config_default(&c);
    CHECK_INT(c.lang, LANG_AUTO);
    CHECK_INT(c.normalize, 1);
    CHECK_INT(c.squeeze, 0);
    CHECK_STR(tok_lang_name(LANG_ZH), "zh");
    CHECK_STR(tok_lang_name(LANG_EN), "en");
    CHECK_STR(tok_lang_name(LANG_AUTO), "auto");
    CHECK_INT(tok_lang_parse("zh"), LANG_ZH);
    CHECK_INT(tok_lang_parse("en"), LANG_EN);
    CHECK_INT(tok_lang_parse("auto"), LANG_AUTO);
    CHECK_INT(tok_lang_parse("fr"), -1);
}

static void test_toklist(void)
{
    toklist t = {0};
    toklist_push(&t, "abc", 3);
    toklist_push(&t, "", 0);
    toklist_push(&t, "xyz!", 2);
    CHECK_INT(t.n, 3);
    CHECK_STR(toklist_get(&t, 0), "abc");
    CHECK_STR(toklist_get(&t, 1), "");
    CHECK_STR(toklist_get(&t, 2), "xy");
    toklist_clear(&t);
    CHECK_INT(t.n, 0);
    for (int i = 0; i < 1000; i++) toklist_push(&t, "word", 4);
    CHECK_INT(t.n, 1000);
    CHECK_STR(toklist_get(&t, 999), "word");
    toklist_free(&t);
    CHECK(t.buf == NULL && t.n == 0);
}

static void test_normalize(void)
{
    tokenizer *t = mk(1, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "ＡＢＣ"), "abc");                          /* full width -> ASCII, folded */
    CHECK_STR(tok(t, "Hello WORLD"), "hello | world");
    CHECK_STR(tok(t, "１２３ ＡＢＣ！"), "123 | abc | !");
    CHECK_STR(tok(t, "\xEF\xBB\xBFhello"), "hello");             /* BOM */
    CHECK_STR(tok(t, "he\xE2\x80\x8Bllo wo\xE2\x80\x8Drld\xE2\x81\xA0!"), "hello | world | !");  /* zero width */
    CHECK_STR(tok(t, "a\tb\nc\r\nd\x01" "e"), "a | b | c | de");   /* controls */
    CHECK_STR(tok(t, "Straße"), "strasse");                       /* full case folding */
    CHECK_STR(tok(t, "CAFE\xCC\x81"), "caf\xC3\xA9");              /* NFKC composes e + U+0301 */
    CHECK_STR(tok(t, "\xEF\xAC\x81ne"), "fine");                  /* ligature fi */
    CHECK_STR(tok(t, "\xE3\x80\x80x\xC2\xA0y"), "x | y");          /* ideographic / no-break space */
    tokenizer_free(t);

    t = mk(0, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "ＡＢＣ Hello"), "ＡＢＣ | Hello");          /* original characters kept */
    CHECK_STR(tok(t, "\xEF\xBB\xBFHi\xE2\x80\x8B!"), "Hi | !");
    CHECK_STR(tok(t, "Don\xE2\x80\x99t"), "Do | n\xE2\x80\x99t");
    tokenizer_free(t);

    size_t n;
    char *s = text_normalize("\xEF\xBB\xBF" "ＡＢＣ Déjà\xE2\x80\x8B", strlen("\xEF\xBB\xBF" "ＡＢＣ Déjà\xE2\x80\x8B"), &n);
    CHECK_STR(s, "abc déjà");
    CHECK_INT(n, strlen("abc déjà"));
    free(s);
    s = text_normalize("", 0, &n);
    CHECK_STR(s, "");
    CHECK_INT(n, 0);
    free(s);

    /* text_match_key: letters, marks and digits of the normal form only */
    size_t nch, pb, kl;
    const char *k1 = "  Déjà   vu, 2 ＴＩＭＥＳ!! ";
    s = text_match_key(k1, strlen(k1), 4, &nch, &pb, &kl);
    CHECK_STR(s, "déjàvu2times");
    CHECK_INT(nch, 12);
    CHECK_INT(pb, strlen("déjà"));                                  /* 4 characters, 6 bytes */
    CHECK_INT(kl, strlen("déjàvu2times"));
    free(s);
    const char *k2 = "房间 很好，服务\xE2\x80\x8B周到。";                     /* CJK punctuation, zero width */
    s = text_match_key(k2, strlen(k2), 40, &nch, &pb, NULL);
    CHECK_STR(s, "房间很好服务周到");
    CHECK_INT(nch, 8);
    CHECK_INT(pb, strlen("房间很好服务周到"));                       /* fewer than 40: all of it */
    free(s);
    s = text_match_key("!!! ... ???", 11, 40, &nch, &pb, &kl);  /* no letter: empty */
    CHECK_STR(s, "");
    CHECK_INT(nch, 0);
    CHECK_INT(kl, 0);
    free(s);
}

static void test_invalid_utf8(void)
{
    tokenizer *t = mk(1, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "a\xFF" "b"), "a | \xEF\xBF\xBD | b");
    CHECK_STR(tok(t, "x \xED\xA0\x80 y"), "x | \xEF\xBF\xBD | y");  /* encoded surrogate */
    CHECK_STR(tok(t, "ok \xE4\xBD"), "ok | \xEF\xBF\xBD");            /* truncated at end */
    CHECK_STR(tok(t, "\xC0\xAF"), "\xEF\xBF\xBD");                     /* overlong '/' */
    CHECK_STR(tok(t, "\xF4\x90\x80\x80"), "\xEF\xBF\xBD");             /* > U+10FFFF */
    CHECK_STR(tok(t, "\x80\x80\x80 \xE4\xBD\xA0"), "\xEF\xBF\xBD | \xE4\xBD\xA0");
    /* embedded NUL is a control character */
    CHECK_STR(tokj(t, "a\0b", 3), "ab");
    tokenizer_free(t);
    t = mk(0, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "A\xFF\xFE" "B"), "A | \xEF\xBF\xBD | B");
    tokenizer_free(t);
}

static void test_english(void)
{
    tokenizer *t = mk(1, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "I don't know, it's fine."), "i | do | n't | know | , | it | 's | fine | .");
    CHECK_STR(tok(t, "I'm sure we'll see; they're here"), "i | 'm | sure | we | 'll | see | ; | they | 're | here");
    CHECK_STR(tok(t, "I've he'd can't won't"), "i | 've | he | 'd | ca | n't | wo | n't");
    CHECK_STR(tok(t, "shouldn't've"), "should | n't | 've");
    CHECK_STR(tok(t, "John's o'clock"), "john | 's | o'clock");
    CHECK_STR(tok(t, "don\xE2\x80\x99t"), "do | n't");                /* U+2019 apostrophe */
    CHECK_STR(tok(t, "'quoted' students'"), "' | quoted | ' | students | '");
    CHECK_STR(tok(t, "It costs 3.5 or 1,000 or 10% at 3:30"), "it | costs | 3.5 | or | 1,000 | or | 10% | at | 3:30");
    CHECK_STR(tok(t, "$5 -4 +1"), "$ | 5 | - | 4 | + | 1");
    CHECK_STR(tok(t, "2010.The"), "2010 | . | the");
    CHECK_STR(tok(t, "Hello, world!"), "hello | , | world | !");
    CHECK_STR(tok(t, "Wait... what?!! no!!!"), "wait | ... | what | ? | !! | no | !!!");
    CHECK_STR(tok(t, "(a) [b] \"c\""), "( | a | ) | [ | b | ] | \" | c | \"");
    CHECK_STR(tok(t, "state-of-the-art covid-19 mp3 U.S. e.g."), "state-of-the-art | covid-19 | mp3 | u.s. | e.g.");
    CHECK_STR(tok(t, "@john_doe hi #happy #1 a@b"), "@john_doe | hi | #happy | # | 1 | a | @ | b");
    CHECK_STR(tok(t, "see http://example.com/a?b=1&c=2, ok"), "see | http://example.com/a?b=1&c=2 | , | ok");
    CHECK_STR(tok(t, "at https://x.org/wiki/A_(b)."), "at | https://x.org/wiki/a_(b) | .");
    CHECK_STR(tok(t, "(www.google.com)"), "( | www.google.com | )");
    CHECK_STR(tok(t, "www. is not"), "www | . | is | not");
    CHECK_STR(tok(t, ":) :-( ;) :D <3 :P"), ":) | :-( | ;) | :d | <3 | :p");
    CHECK_STR(tok(t, "great:))) ^_^ -_- </3 :'("), "great | :))) | ^_^ | -_- | </3 | :'(");
    CHECK_STR(tok(t, "note:do x=(a)"), "note | : | do | x | = | ( | a | )");
    CHECK_STR(tok(t, "I love it\xF0\x9F\x98\x80\xF0\x9F\x98\x80!"), "i | love | it | \xF0\x9F\x98\x80 | \xF0\x9F\x98\x80 | !");
    CHECK_STR(tok(t, "ok\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xE2\x9D\xA4\xEF\xB8\x8F"),
              "ok | \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD | \xE2\x9D\xA4");  /* skin tone kept, VS16 dropped */
    CHECK_STR(tok(t, "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3"), "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3");  /* flag */
    CHECK_STR(tok(t, "soooo goooood"), "soooo | goooood");              /* squeeze off */
    CHECK_STR(tok(t, "naïve café"), "naïve | café");
    CHECK_STR(tok(t, "   "), "");
    tokenizer_free(t);

    t = mk(1, 1, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "Sooooo goooood!!!! 1000000 aa"), "soo | good | !!!! | 1000000 | aa");
    tokenizer_free(t);

    t = mk(0, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "I DON'T :D"), "I | DO | N'T | :D");
    tokenizer_free(t);
}

static segdict *small_dict(void)
{
    segdict *d = segdict_new();
    static const struct { const char *w; double f; } words[] = {
        {"结婚", 100}, {"和尚", 50}, {"尚未", 50}, {"和", 500}, {"的", 1000}, {"未", 10},
        {"这个", 200}, {"真的", 100}, {"很", 300}, {"好用", 50}, {"iPhone", 20},
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        segdict_add(d, words[i].w, strlen(words[i].w), words[i].f);
    return d;
}

static void test_chinese(void)
{
    segdict *d = small_dict();
    CHECK_INT(segdict_size(d), 11);
    tokenizer *t = mk(1, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "结婚的和尚未结婚的"), "结婚 | 的 | 和 | 尚未 | 结婚 | 的");
    CHECK_STR(tok(t, "这个iPhone 12真的很好用!"), "这个 | iphone | 12 | 真的 | 很 | 好用 | !");
    CHECK_STR(tok(t, "这个，真的！好用？"), "这个 | , | 真的 | ! | 好用 | ?");   /* NFKC full-width punctuation */
    CHECK_STR(tok(t, "很好。。。“好用”"), "很 | 好 | 。。。 | “ | 好用 | ”");
    CHECK_INT(segdict_hmm(d), 1);                                       /* default: HMM for unknown runs */
    CHECK_STR(tok(t, "真心好"), "真心 | 好");                              /* unknown chars: the HMM joins */
    segdict_set_hmm(d, 0);
    CHECK_STR(tok(t, "真心好"), "真 | 心 | 好");                           /* without: one each */
    segdict_set_hmm(d, 1);
    CHECK_STR(tok(t, "这个\xE2\x80\x8B真的"), "这个 | 真的");                 /* zero width inside a run */
    tokenizer_free(t);

    t = mk(0, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "这个iPhone真的，很好用"), "这个 | iPhone | 真的 | ， | 很 | 好用");
    tokenizer_free(t);

    /* the other split wins when the frequencies say so */
    segdict *d2 = segdict_new();
    segdict_add(d2, "和尚", strlen("和尚"), 5000);
    segdict_add(d2, "尚未", strlen("尚未"), 1);
    segdict_add(d2, "未", strlen("未"), 1000);
    tokenizer *t2 = mk(1, 0, LANG_AUTO, d2);
    CHECK_STR(tok(t2, "和尚未"), "和尚 | 未");
    tokenizer_free(t2);
    segdict_free(d2);

    /* no dictionary, empty dictionary, LANG_EN: one token per Han character */
    t = mk(1, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "这个iPhone 12真的很好用!"), "这 | 个 | iphone | 12 | 真 | 的 | 很 | 好 | 用 | !");
    tokenizer_free(t);
    segdict *e = segdict_new();
    t = mk(1, 0, LANG_AUTO, e);
    CHECK_STR(tok(t, "结婚的"), "结 | 婚 | 的");
    tokenizer_free(t);
    segdict_free(e);
    t = mk(1, 0, LANG_EN, d);
    CHECK_STR(tok(t, "结婚的 ok"), "结 | 婚 | 的 | ok");
    tokenizer_free(t);

    /* compatibility ideograph normalised to the unified one (U+F900 -> U+8C48) */
    t = mk(1, 0, LANG_AUTO, NULL);
    CHECK_STR(tok(t, "\xEF\xA4\x80"), "\xE8\xB1\x88");
    tokenizer_free(t);

    /* segdict_cut directly */
    toklist tl = {0};
    segdict_cut(d, "结婚的和尚未结婚的", strlen("结婚的和尚未结婚的"), &tl);
    CHECK_INT(tl.n, 6);
    if (tl.n == 6) CHECK_STR(toklist_get(&tl, 3), "尚未");
    toklist_free(&tl);

    /* dictionary words are normalised: ＡＢ matches ab */
    segdict *d3 = segdict_new();
    segdict_add(d3, "ＡＢ", strlen("ＡＢ"), 0);
    segdict_add(d3, "ab", 2, 0);                    /* same word, no duplicate */
    CHECK_INT(segdict_size(d3), 1);
    size_t len;
    char *blob = segdict_serialize(d3, &len);
    CHECK_STR(blob, "ab\t1\n");
    free(blob);
    segdict_free(d3);
    segdict_free(d);
}

static void test_ranked(void)
{
    const char *words[] = {"的", "酒店", "酒", "店", "不错"};
    segdict *d = segdict_new();
    segdict_add_ranked(d, words, 5);
    CHECK_INT(segdict_size(d), 5);
    tokenizer *t = mk(1, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "酒店的不错"), "酒店 | 的 | 不错");
    tokenizer_free(t);
    size_t len;
    char *blob = segdict_serialize(d, &len);
    CHECK(has_line(blob, "的\t10000000"));
    CHECK(has_line(blob, "酒店\t5000000"));
    free(blob);
    segdict_free(d);
}

static void test_serialize(void)
{
    segdict *d = small_dict();
    segdict_add(d, "分数", strlen("分数"), 1.0 / 3.0);
    size_t len, len2;
    char *a = segdict_serialize(d, &len);
    CHECK_INT(len, strlen(a));
    segdict *d2 = segdict_deserialize(a, len);
    CHECK(d2 != NULL);
    if (d2) {
        CHECK_INT(segdict_size(d2), segdict_size(d));
        char *b = segdict_serialize(d2, &len2);
        CHECK_INT(len2, len);
        CHECK(len == len2 && memcmp(a, b, len) == 0);
        free(b);
        tokenizer *t = mk(1, 0, LANG_AUTO, d2);
        CHECK_STR(tok(t, "结婚的和尚未结婚的"), "结婚 | 的 | 和 | 尚未 | 结婚 | 的");
        tokenizer_free(t);
        segdict_free(d2);
    }
    CHECK(strstr(a, "结婚\t100\n") != NULL);
    CHECK(strstr(a, "iphone\t20\n") != NULL);
    free(a);
    segdict_free(d);

    /* each frequency as "%.17g" prints it (whole numbers are written by
     * hand): small, large, the hand-made range's ends, fractions, huge */
    const double fq[] = { 1, 7, 10, 99, 100, 12345, 884757, 4294967296.0, 999999999999999.0, 1e15,
                          123456789012345678.0, 0.5, 1.0 / 3.0, 2.5e-7, 1e300, 1048576.25 };
    const size_t nfq = sizeof fq / sizeof fq[0];
    segdict *df = segdict_new();
    char w[16];
    for (size_t i = 0; i < nfq; i++) {
        snprintf(w, sizeof w, "w%zu", i);
        segdict_add(df, w, strlen(w), fq[i]);
    }
    a = segdict_serialize(df, &len);
    char want[64];
    for (size_t i = 0, ok = 1; i < nfq; i++) {
        snprintf(want, sizeof want, "w%zu\t%.17g\n", i, fq[i]);
        if (!strstr(a, want) && ok) {
            CHECK_STR(want, "(a line of the blob)");
            ok = 0;
        }
    }
    CHECK(strstr(a, "w0\t1\n") && strstr(a, "w8\t999999999999999\n") && strstr(a, "w9\t1000000000000000\n"));
    free(a);
    segdict_free(df);

    /* empty */
    segdict *e = segdict_deserialize("", 0);
    CHECK(e != NULL && segdict_size(e) == 0);
    segdict_free(e);
    /* no final newline is fine */
    e = segdict_deserialize("好\t3", strlen("好\t3"));
    CHECK(e != NULL && segdict_size(e) == 1);
    segdict_free(e);
    /* bad data */
    err_clear();
    CHECK(segdict_deserialize("好\t3\n坏\n", strlen("好\t3\n坏\n")) == NULL);
    CHECK(strstr(err_msg(), "line 2") != NULL);
    CHECK(segdict_deserialize("好\tx\n", strlen("好\tx\n")) == NULL);
    CHECK(strstr(err_msg(), "bad frequency") != NULL);
    CHECK(segdict_deserialize("好\t-1\n", strlen("好\t-1\n")) == NULL);
    CHECK(segdict_deserialize("\t5\n", 3) == NULL);
}

static void test_load(void)
{
    const char *txt = "\xEF\xBB\xBF" "结婚 100 v\n\n和尚 50\r\n尚未\t50 d\n  和 500\n的 1000\n未\n";
    char *path = write_tmp(txt, strlen(txt));
    segdict *d = segdict_new();
    CHECK_INT(segdict_load(d, path), 0);
    CHECK_INT(segdict_size(d), 6);
    tokenizer *t = mk(1, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "结婚的和尚未结婚的"), "结婚 | 的 | 和 | 尚未 | 结婚 | 的");
    tokenizer_free(t);
    size_t len;
    char *blob = segdict_serialize(d, &len);
    CHECK(has_line(blob, "结婚\t100"));                                   /* BOM not part of the word */
    CHECK(has_line(blob, "未\t1"));                                       /* default frequency */
    free(blob);
    segdict_free(d);
    unlink(path);
    free(path);

    char msg[512];
    const char *bad = "好 10\n坏 12abc\n";
    path = write_tmp(bad, strlen(bad));
    d = segdict_new();
    CHECK_INT(segdict_load(d, path), -1);
    snprintf(msg, sizeof msg, "%s:2: bad frequency '12abc'", path);
    CHECK_STR(err_msg(), msg);
    segdict_free(d);
    unlink(path);
    free(path);

    /* "word tag" (jieba user dictionaries): a second field that does not
     * start like a number is a tag, the word gets the default frequency */
    const char *tagged = "好 10\n坏 abc\n云计算 nz\n创新办 3 i\n区块链 n 99\n";
    path = write_tmp(tagged, strlen(tagged));
    d = segdict_new();
    CHECK_INT(segdict_load(d, path), 0);
    CHECK_INT(segdict_size(d), 5);
    blob = segdict_serialize(d, &len);
    CHECK(has_line(blob, "好\t10") && has_line(blob, "坏\t1") && has_line(blob, "云计算\t1") &&
          has_line(blob, "创新办\t3") && has_line(blob, "区块链\t1"));
    free(blob);
    segdict_free(d);
    unlink(path);
    free(path);

    bad = "好 10\n\n\n坏 -3\n";
    path = write_tmp(bad, strlen(bad));
    d = segdict_new();
    CHECK_INT(segdict_load(d, path), -1);
    snprintf(msg, sizeof msg, "%s:4: bad frequency '-3'", path);
    CHECK_STR(err_msg(), msg);
    segdict_free(d);
    unlink(path);
    free(path);

    bad = "好 10\n\xBA\xC3 5\n";                           /* GBK, not UTF-8 */
    path = write_tmp(bad, strlen(bad));
    d = segdict_new();
    CHECK_INT(segdict_load(d, path), -1);
    snprintf(msg, sizeof msg, "%s:2: invalid UTF-8", path);
    CHECK(strncmp(err_msg(), msg, strlen(msg)) == 0);
    segdict_free(d);
    unlink(path);
    free(path);

    d = segdict_new();
    CHECK_INT(segdict_load(d, "/nonexistent/dict.txt"), -1);
    CHECK(strstr(err_msg(), "/nonexistent/dict.txt: ") == err_msg());
    segdict_free(d);
}

/* A dictionary of words with the default frequency, HMM off. */
static segdict *dict_words(const char *const *w, size_t n)
{
    segdict *d = segdict_new();
    for (size_t i = 0; i < n; i++) segdict_add(d, w[i], strlen(w[i]), 0);
    segdict_set_hmm(d, 0);
    return d;
}

/* Numbers, Latin words and Han characters in one stretch: dictionary words
 * may join them, digit runs matching as number classes of their shape. */
static void test_mixed_units(void)
{
    static const char *const w[] = {
        "1998年", "12月", "31日", "4.2亿", "26%", "t恤", "卡拉ok", "一九九八年", "二○○○年",
        "买", "了", "件", "年", "月", "日", "亿", "元", "，还", "还", "增长", "你好",
    };
    segdict *d = dict_words(w, sizeof w / sizeof *w);
    /* default: dictionary words with digits match literally */
    tokenizer *t = mk(1, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "1998年12月31日"), "1998年 | 12月 | 31日");
    CHECK_STR(tok(t, "2001年10月31日"), "2001 | 年 | 10 | 月 | 31日");
    CHECK_STR(tok(t, "增长２６％"), "增长 | 26%");
    CHECK_STR(tok(t, "二○○一年"), "二 | ○ | ○ | 一 | 年");
    CHECK_STR(tok(t, "二〇〇〇年"), "二〇〇〇年");              /* ○ and 〇 are one key */
    CHECK_STR(tok(t, "买了T恤"), "买 | 了 | t恤");
    tokenizer_free(t);
    /* number classes */
    tok_config cfg;
    tok_config_default(&cfg);
    CHECK_INT(cfg.num_class, 0);
    cfg.num_class = 1;
    t = tokenizer_new(&cfg, d);
    CHECK_STR(tok(t, "2001年1月"), "2001年 | 1 | 月");        /* N4年; N1月 is no word (only N2月) */
    CHECK_STR(tok(t, "2001年10月31日"), "2001年 | 10月 | 31日");
    CHECK_STR(tok(t, "20年"), "20 | 年");                      /* a duration: no N2年 in the dictionary */
    CHECK_STR(tok(t, "5.35亿元"), "5.35亿 | 元");              /* like 4.2亿: integer part of one digit */
    CHECK_STR(tok(t, "增长１２％"), "增长 | 12%");             /* NFKC, then N2% like 26% */
    CHECK_STR(tok(t, "买了T恤"), "买 | 了 | t恤");
    CHECK_STR(tok(t, "卡拉OK"), "卡拉ok");
    CHECK_STR(tok(t, "1998 年"), "1998 | 年");                 /* a space always separates */
    CHECK_STR(tok(t, "二○○一年"), "二○○一年");               /* Chinese digits: like 一九九八年 */
    CHECK_STR(tok(t, "二〇〇一年"), "二〇〇一年");             /* U+3007 and U+25CB are one key */
    CHECK_STR(tok(t, "1998年"), "1998年");                     /* literal words match too */
    CHECK_STR(tok(t, "一九九八年"), "一九九八年");
    CHECK_STR(tok(t, "○"), "○");                               /* alone: a symbol */
    CHECK_STR(tok(t, "你好，还"), "你好 | , | 还");            /* "，还" in the list: noise, unused */
    CHECK_STR(tok(t, "iPhone12"), "iphone12");                 /* Latin runs stay whole */
    CHECK_STR(tok(t, "看http://x.cn/a年"), "看 | http://x.cn/a | 年");   /* URL: as the English tokenizer */
    CHECK_STR(tok(t, "好😀😀年"), "好 | 😀 | 😀 | 年");
    CHECK_INT(segdict_size(d), sizeof w / sizeof *w);
    tokenizer_free(t);

    /* key form of dictionary words (internal) */
    toklist sc = {0};
    const uint32_t *key, *kb;
    size_t nu, nk = text_key("2001年", strlen("2001年"), 1, &sc, &key, &kb, &nu);
    CHECK_INT(nk, 2);
    CHECK_INT(nu, 2);
    if (nk == 2) {
        CHECK_INT(key[0], SEG_KEY_NUM + 4);
        CHECK_INT(key[1], 0x5E74);
    }
    nk = text_key("t恤", strlen("t恤"), 1, &sc, &key, &kb, &nu);
    CHECK_INT(nk, 2);
    CHECK_INT(nu, 2);
    nk = text_key("二○○一", strlen("二○○一"), 1, &sc, &key, &kb, &nu);
    CHECK_INT(nu, 1);
    CHECK_INT(nk, 1);
    if (nk == 1) CHECK_INT(key[0], SEG_KEY_CNUM + 4);
    nk = text_key("12,345.6%", strlen("12,345.6%"), 1, &sc, &key, &kb, &nu);
    CHECK_INT(nk, 2);                                   /* N5 (integer part 12345) then % */
    if (nk == 2) CHECK_INT(key[0], SEG_KEY_NUM + 5);
    nk = text_key("二○○一", strlen("二○○一"), 0, &sc, &key, &kb, &nu);
    CHECK_INT(nu, 4);                                   /* literal: one unit per character */
    if (nk == 4) CHECK_INT(key[1], 0x3007);
    nk = text_key("2001年", strlen("2001年"), 0, &sc, &key, &kb, &nu);
    CHECK_INT(nk, 5);
    CHECK_INT(nu, 2);
    toklist_free(&sc);

    /* serialisation keeps the words as written (normalised), not their keys */
    size_t len;
    char *blob = segdict_serialize(d, &len);
    CHECK(strncmp(blob, "1998年\t1\n12月\t1\n", strlen("1998年\t1\n12月\t1\n")) == 0);
    segdict *d2 = segdict_deserialize(blob, len);
    CHECK(d2 != NULL);
    if (d2) {
        segdict_set_hmm(d2, 0);
        tokenizer *t2 = tokenizer_new(&cfg, d2);
        CHECK_STR(tok(t2, "2001年10月31日"), "2001年 | 10月 | 31日");
        tokenizer_free(t2);
        segdict_free(d2);
    }
    free(blob);

    /* two words with one key: their frequencies add up */
    segdict *d3 = segdict_new();
    segdict_add(d3, "1998年", strlen("1998年"), 3);
    segdict_add(d3, "1999年", strlen("1999年"), 4);
    segdict_add(d3, "1999年", strlen("1999年"), 2);    /* lower: kept 4 */
    CHECK_INT(segdict_size(d3), 2);
    blob = segdict_serialize(d3, &len);
    CHECK_STR(blob, "1998年\t3\n1999年\t4\n");
    free(blob);
    segdict_free(d3);

    cfg.lang = LANG_EN;                                 /* EN: no dictionary */
    t = tokenizer_new(&cfg, d);
    CHECK_STR(tok(t, "2001年T恤"), "2001 | 年 | t | 恤");
    tokenizer_free(t);
    segdict_free(d);
}

/* normalize = 0: the segmenter sees the normalised text, the tokens are
 * the original characters. */
static void test_no_normalize(void)
{
    static const char *const w[] = { "１９９８年", "增长", "ｉｐｈｏｎｅ手机", "株式会社", "咖啡" };
    segdict *d = dict_words(w, sizeof w / sizeof *w);
    tokenizer *t = mk(0, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "１９９８年增长１２．５％"), "１９９８年 | 增长 | １２．５％");
    CHECK_STR(tok(t, "1998年增长"), "1998年 | 增长");
    CHECK_STR(tok(t, "iPhone手机"), "iPhone手机");             /* matched folded, printed as written */
    CHECK_STR(tok(t, "ＩＰＨＯＮＥ手机，"), "ＩＰＨＯＮＥ手机 | ，");
    CHECK_STR(tok(t, "咖\xE2\x80\x8B啡"), "咖啡");            /* zero width space dropped */
    CHECK_STR(tok(t, "\xE3\x8D\xBF"), "\xE3\x8D\xBF");        /* ㍿ (NFKC 株式会社): one original char */
    CHECK_STR(tok(t, "cafe\xCC\x81 Ｃａｆé"), "cafe\xCC\x81 | Ｃａｆé");   /* marks stay, as written */
    CHECK_STR(tok(t, "\xEF\xAC\x81ne"), "\xEF\xAC\x81ne");    /* ligature fi */
    CHECK_STR(tok(t, "a\xFF" "b"), "a | \xEF\xBF\xBD | b");    /* invalid byte -> U+FFFD */
    tokenizer_free(t);

    /* property: the tokens, concatenated, are the input without white space
     * and dropped characters, byte for byte */
    static const char *const pool[] = {
        "好", "的", "增长", "１", "2", "0", "年", "％", "．", ".", "ｉ", "Ｐ", "h", "O", "手机", "㍿", "ﬁ",
        "e\xCC\x81", "\xCC\x81", "\xE2\x80\x8B", " ", "\xE3\x80\x80", "，", "。", "“", "…", "○", "〇",
        "😀", "\xF0\x9F\x8F\xBD", "❤\xEF\xB8\x8F", "'", "n't", "don", "http://a.b/", "#", "@x", ":)",
        "\xED\xA0\x80", "\xFF", "\xE4\xBD", "ß", "İ", "Å", "ｶﾞ", "가", "\xE1\x84\x80\xE1\x85\xA1",
    };
    size_t np = sizeof pool / sizeof *pool;
    unsigned x = 7;
    int ok = 1;
    char in[512];
    toklist tl = {0};
    t = mk(0, 0, LANG_AUTO, d);
    for (int it = 0; it < 3000 && ok; it++) {
        size_t len = 0;
        int k = 1 + (int)(x % 12);
        for (int q = 0; q < k; q++) {
            x = x * 1103515245u + 12345u;
            const char *p = pool[(x >> 16) % np];
            memcpy(in + len, p, strlen(p));
            len += strlen(p);
        }
        toklist_clear(&tl);
        tokenize(t, in, len, &tl);
        /* expected: valid UTF-8 of the input (bad bytes -> U+FFFD as in the
         * tokens), without spaces and format characters */
        char want[2048], got[2048];
        size_t wn = 0, gn = 0, i = 0;
        int bad = 0;
        while (i < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)in + i, (utf8proc_ssize_t)(len - i), &cp);
            if (m <= 0) {
                i++;
                if (!bad) { memcpy(want + wn, "\xEF\xBF\xBD", 3); wn += 3; }
                bad = 1;
                continue;
            }
            bad = 0;
            utf8proc_category_t cat = utf8proc_category(cp);
            if (!(cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CC)) {
                memcpy(want + wn, in + i, (size_t)m);
                wn += (size_t)m;
            }
            i += (size_t)m;
        }
        for (size_t j = 0; j < tl.n; j++) {
            const char *tk = toklist_get(&tl, j);
            ok &= valid_token(tk);
            memcpy(got + gn, tk, strlen(tk));
            gn += strlen(tk);
        }
        /* VS16 (U+FE0F) is a mark the NFKC view drops (default ignorable):
         * it is left out unless inside a token */
        if (!(gn == wn && !memcmp(got, want, wn))) {
            size_t a = 0, b = 0;
            while (a < wn && b < gn) {
                if (a + 3 <= wn && !memcmp(want + a, "\xEF\xB8\x8F", 3)) {
                    if (b + 3 <= gn && !memcmp(got + b, "\xEF\xB8\x8F", 3)) b += 3;
                    a += 3;
                    continue;
                }
                if (want[a] == got[b]) { a++; b++; continue; }
                break;
            }
            while (a + 3 <= wn && !memcmp(want + a, "\xEF\xB8\x8F", 3)) a += 3;
            ok &= a == wn && b == gn;
        }
        if (!ok) {
            in[len] = '\0';
            fprintf(stderr, "no-normalize tokens differ from the input: \"%s\"\n", in);
        }
    }
    CHECK(ok);
    toklist_free(&tl);
    tokenizer_free(t);
    segdict_free(d);
}

/* User dictionaries: "word", "word freq", "word tag" lines; the words win. */
static void test_user_dict(void)
{
    segdict *d = segdict_new();
    segdict_add(d, "和尚", strlen("和尚"), 5000);
    segdict_add(d, "尚未", strlen("尚未"), 1);
    segdict_add(d, "未", strlen("未"), 1000);
    segdict_add(d, "和", strlen("和"), 1000);
    segdict_add(d, "云", strlen("云"), 100);
    segdict_add(d, "计算", strlen("计算"), 100);
    segdict_set_hmm(d, 0);
    tokenizer *t = mk(1, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "和尚未"), "和尚 | 未");
    CHECK_STR(tok(t, "云计算"), "云 | 计算");
    const char *user = "云计算 nz\n尚未\nＸ光机 5 n\n";
    char *path = write_tmp(user, strlen(user));
    CHECK_INT(segdict_load_user(d, path), 0);
    CHECK_INT(segdict_size(d), 8);
    CHECK_STR(tok(t, "云计算"), "云计算");
    CHECK_STR(tok(t, "尚未"), "尚未");
    CHECK_STR(tok(t, "x光机"), "x光机");
    unlink(path);
    free(path);
    segdict_add_user(d, "和尚未", strlen("和尚未"), 0);
    CHECK_STR(tok(t, "和尚未"), "和尚未");
    /* a frequency given higher than the suggestion is kept */
    segdict_add_user(d, "大数据", strlen("大数据"), 1e6);
    size_t len;
    char *blob = segdict_serialize(d, &len);
    CHECK(has_line(blob, "大数据\t1000000"));
    free(blob);
    /* a user word that is a known word once normalised (a stray control
     * character and byte-order mark) is that word, not a second entry: the
     * dictionary a model file saves must load back the same, or predict
     * would cut text as training did not */
    size_t before = segdict_size(d);
    segdict_add_user(d, "\x03\xef\xbb\xbf尚未", strlen("\x03\xef\xbb\xbf尚未"), 1e5);
    CHECK_INT(segdict_size(d), before);
    blob = segdict_serialize(d, &len);
    segdict *back = segdict_deserialize(blob, len);
    CHECK(back != NULL && segdict_size(back) == before && segdict_total(back) == segdict_total(d));
    CHECK(has_line(blob, "尚未\t100000"));
    free(blob);
    segdict_free(back);
    err_clear();
    CHECK_INT(segdict_load_user(d, "/nonexistent/user.dict"), -1);
    CHECK(strstr(err_msg(), "/nonexistent/user.dict") != NULL);
    tokenizer_free(t);
    segdict_free(d);
    /* into an empty dictionary: the default frequency, like segdict_load;
     * no HMM from so few words (no single-character word) */
    d = segdict_new();
    segdict_add_user(d, "云计算", strlen("云计算"), 0);
    segdict_add_user(d, "大数据", strlen("大数据"), 0);
    CHECK_INT(segdict_size(d), 2);
    t = mk(1, 0, LANG_AUTO, d);
    CHECK_STR(tok(t, "云计算和大数据很火"), "云计算 | 和 | 大数据 | 很 | 火");
    tokenizer_free(t);
    segdict_free(d);
}

/* Unknown words: the B/M/E/S HMM estimated from the dictionary. */
static void test_hmm(void)
{
    static const char *const w[] = {
        "克林顿", "布什", "斯科特", "菲尔德", "拉姆", "的", "是", "在", "说", "他", "总统", "国防部长",
    };
    segdict *d = dict_words(w, sizeof w / sizeof *w);
    tokenizer *t = mk(1, 0, LANG_AUTO, d);
    CHECK_INT(segdict_hmm(d), 0);
    CHECK_STR(tok(t, "斯姆德说"), "斯 | 姆 | 德 | 说");
    segdict_set_hmm(d, 1);
    CHECK_INT(segdict_hmm(d), 1);
    /* 斯姆德: unknown as a run of single characters; the HMM (B/M/E from
     * 斯科特, 拉姆, 菲尔德) makes one word of it */
    CHECK_STR(tok(t, "斯姆德说"), "斯姆德 | 说");
    CHECK_STR(tok(t, "他是"), "他 | 是");                      /* all known single words: left alone */
    CHECK_STR(tok(t, "总统克林顿"), "总统 | 克林顿");
    segdict_set_hmm(d, 2);                                      /* jieba: every run */
    CHECK_INT(segdict_hmm(d), 2);
    segdict_set_hmm(d, 7);
    CHECK_INT(segdict_hmm(d), 2);
    segdict_set_hmm(d, 1);
    /* long runs: no crash, valid tokens, all characters kept */
    size_t big = 1 << 20, zl = strlen("斯姆德"), reps = big / zl;
    char *s = xmalloc(reps * zl + 1);
    for (size_t i = 0; i < reps; i++) memcpy(s + i * zl, "斯姆德", zl);
    toklist tl = {0};
    tokenize(t, s, reps * zl, &tl);
    size_t tot = 0;
    for (size_t i = 0; i < tl.n; i++) tot += strlen(toklist_get(&tl, i));
    CHECK_INT(tot, reps * zl);
    CHECK(tl.n >= 1 && tl.n <= reps * 3);
    toklist_free(&tl);
    free(s);
    tokenizer_free(t);
    segdict_free(d);
    CHECK_INT(segdict_hmm(NULL), 0);
}

/* Loading into an empty dictionary goes in bulk (sorted trie build); the
 * result must be the same as adding the words one by one. */
/* The nodes on the path of key[0..n) in a's and b's tries: the same
 * frequencies (bits), log weights, TRIE_KIDS; 1 if so. */
static int same_path(const segdict *a, const segdict *b, const uint32_t *key, size_t n)
{
    const keytrie *ta = segdict_trie(a), *tb = segdict_trie(b);
    uint32_t na = 0, nb = 0;
    for (size_t i = 0; i < n; i++) {
        const tref *ra = trie_step(ta, na, key[i]), *rb = trie_step(tb, nb, key[i]);
        if (!ra || !rb) return !ra && !rb;
        na = ra->node & ~TRIE_KIDS;
        nb = rb->node & ~TRIE_KIDS;
        if ((ra->node & TRIE_KIDS) != (rb->node & TRIE_KIDS) || memcmp(&ra->w, &rb->w, sizeof ra->w) ||
            memcmp(&ta->freq[na], &tb->freq[nb], sizeof(double)) || !ta->val[na] != !tb->val[nb])
            return 0;
    }
    return 1;
}

/* a and b are the same dictionary: words and frequencies (serialised), trie
 * (along every word's keys, literal and with number classes), total, HMM. */
static int same_dict(const segdict *a, const segdict *b)
{
    size_t la, lb;
    char *sa = segdict_serialize(a, &la), *sb = segdict_serialize(b, &lb);
    int ok = la == lb && !memcmp(sa, sb, la);
    const keytrie *ta = segdict_trie(a), *tb = segdict_trie(b);
    ok = ok && ta->nn == tb->nn && ta->en == tb->en;
    double xa = segdict_total(a), xb = segdict_total(b);
    ok = ok && !memcmp(&xa, &xb, sizeof xa);
    const seg_hmm *ha = segdict_hmm_stats(a), *hb = segdict_hmm_stats(b);
    ok = ok && ha->hn == hb->hn && !memcmp(ha->tag_total, hb->tag_total, sizeof ha->tag_total) &&
         !memcmp(ha->trans, hb->trans, sizeof ha->trans) && !memcmp(ha->start, hb->start, sizeof ha->start);
    for (uint32_t c = 0; ok && c < 0x10000; c++)
        ok = !ha->hidx[c] == !hb->hidx[c] &&
             (!ha->hidx[c] || !memcmp(ha->em[ha->hidx[c] - 1], hb->em[hb->hidx[c] - 1], sizeof ha->em[0]));
    toklist sc = {0};
    for (char *p = sa; ok && *p;) {             /* every word's keys */
        char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        for (int cls = 0; cls <= 1 && ok; cls++) {
            const uint32_t *key, *kb;
            size_t n, len = text_key(p, (size_t)(tab - p), cls, &sc, &key, &kb, &n);
            ok = same_path(a, b, key, len);
        }
        p = nl + 1;
    }
    toklist_free(&sc);
    free(sa);
    free(sb);
    return ok;
}

/* Is a read back from its blob the same dictionary? */
static int blob_round_trip(const segdict *a)
{
    size_t len;
    char *blob = segdict_serialize(a, &len);
    segdict *b = segdict_deserialize(blob, len);
    int ok = b && same_dict(a, b);
    segdict_free(b);
    free(blob);
    return ok;
}

static void test_deserialize_bulk(void)
{
    /* a dictionary built word by word, in an order that mixes plain (Han
     * only) words, unsorted, with the others: number words and Chinese
     * digits sharing class keys, Latin words, clause punctuation at an end,
     * a Han word too long for the bulk path, fractional frequencies; some
     * words raised later */
    static const struct { const char *w; double f; } words[] = {
        {"中华人民共和国", 10}, {"2001年", 3}, {"中华", 30}, {"一九九八年", 1e7 / 3}, {"人民", 50},
        {"T恤", 2}, {"三五成群", 7.25}, {"三五", 0.1}, {"卡拉ok", 4}, {"，还", 9}, {"和", 100},
        {"1998年", 2.5}, {"二○○一年", 1e7 / 7}, {"中", 1e7 / 11}, {"华", 20}, {"人", 60},
        {"民", 1e7 / 13}, {"国", 70}, {"共和国", 20}, {"iphone", 20}, {"第一二", 3}, {"〇〇七", 5},
        {"好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好好"
         "好好好好好好好好好好好好好好好好好好好好好好好好好好好好", 2}, {"一二三四五六", 1},
        {"中华", 40}, {"12", 1e7 / 17}, {"零", 8}, {"八", 9}, {"3.14", 1}, {"人民", 45},
    };
    segdict *a = segdict_new();
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        segdict_add(a, words[i].w, strlen(words[i].w), words[i].f);
    CHECK(blob_round_trip(a));
    size_t len;
    char *blob = segdict_serialize(a, &len);
    segdict *b = segdict_deserialize(blob, len);
    static const char *const texts[] = {
        "中华人民共和国和中华人民", "2001年买了T恤", "卡拉OK一九九八年", "三五成群的iPhone，还有〇〇七",
        "二○○一年第一二", "1998年12月", "人民共和国中国华人好好好",
    };
    tok_config cfg;
    tok_config_default(&cfg);
    for (cfg.num_class = 0; b && cfg.num_class <= 1; cfg.num_class++) {
        tokenizer *ta = tokenizer_new(&cfg, a), *tb = tokenizer_new(&cfg, b);
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            char ra[1024];
            snprintf(ra, sizeof ra, "%s", tok(ta, texts[i]));
            CHECK_STR(tok(tb, texts[i]), ra);
        }
        tokenizer_free(ta);
        tokenizer_free(tb);
    }
    segdict_free(b);
    free(blob);
    segdict_free(a);

    /* a ranked (bulk) dictionary and its blob: sorted plain words, then the others */
    static const char *const ranked[] = { "的", "，", "酒店", "不错", "2", "一二", "房间", "12", "ok", "一" };
    a = segdict_new();
    segdict_add_ranked(a, ranked, sizeof ranked / sizeof *ranked);
    CHECK(blob_round_trip(a));
    segdict_free(a);

    /* blobs segdict_serialize does not write (read word by word, as before):
     * a word listed twice keeps its highest frequency; a word whose key is
     * a plain word's (a zero width space is cut from keys) adds to its key */
    const char *dup = "中国\t5\n美国\t3\n中国\t7\n";
    b = segdict_deserialize(dup, strlen(dup));
    a = segdict_new();
    segdict_add(a, "中国", strlen("中国"), 7);
    segdict_add(a, "美国", strlen("美国"), 3);
    CHECK(b && same_dict(a, b));
    segdict_free(a);
    segdict_free(b);
    const char *zw = "中国\t5\n中\xE2\x80\x8B国\t3\n";
    b = segdict_deserialize(zw, strlen(zw));
    CHECK(b && segdict_size(b) == 2 && segdict_total(b) == 8);
    blob = b ? segdict_serialize(b, &len) : NULL;
    CHECK(blob && len == strlen(zw) && !memcmp(blob, zw, len));
    free(blob);
    segdict_free(b);

    /* frequencies read exactly as strtod reads them (integers, "%.17g"
     * decimals, half-way cases, exponents, forms it alone reads) */
    static const char *const freqs[] = {
        "1", "86206.896551724145", "0.1", "9007199254740993", "9007199254740995", "123456789012345678",
        "1.0000000000000002", "2.2250738585072014e-10", "1e22", "1e23", "1.5E+3", "+7", ".5",
        "0x10", "4.9406564584124654e-5", "18446744073709551617", "0.30000000000000004", "1e-27", "1e28",
    };
    for (size_t i = 0; i < sizeof freqs / sizeof *freqs; i++) {
        char line[128], want[128];
        snprintf(line, sizeof line, "好\t%s\n", freqs[i]);
        snprintf(want, sizeof want, "好\t%.17g\n", strtod(freqs[i], NULL));
        b = segdict_deserialize(line, strlen(line));
        blob = b ? segdict_serialize(b, &len) : NULL;
        CHECK_STR(blob, want);
        free(blob);
        segdict_free(b);
    }
}

static void test_bulk_load(void)
{
    /* unsorted, duplicates, non-plain words, frequencies, tags, a BOM */
    const char *txt = "\xEF\xBB\xBF" "中华人民共和国 10 ns\n中华 30\n人民 50 n\n中华人民 5\n共和国 20\n"
                      "中华 40\n2001年 3\n和 100\nT恤 2 n\n人 60\n民 5\n国 70\n共和 8\n"
                      "中 100 \n华 20\n一九九八年\n\xEF\xA4\x80\n卡拉ＯＫ 4\n";
    char *path = write_tmp(txt, strlen(txt));
    segdict *a = segdict_new(), *b = segdict_new();
    segdict_add(b, "zz", 2, 1);                         /* not empty: one by one */
    CHECK_INT(segdict_load(a, path), 0);
    CHECK_INT(segdict_load(b, path), 0);
    CHECK_INT(segdict_size(a), 17);
    CHECK_INT(segdict_size(b), 18);
    tok_config cfg;
    tok_config_default(&cfg);
    static const char *const texts[] = {
        "中华人民共和国和中华人民", "2001年买了T恤", "卡拉OK一九九八年", "人民共和国中国华人", "豈有此理",
        "二○○一年", "1998年",
    };
    for (cfg.num_class = 0; cfg.num_class <= 1; cfg.num_class++) {
        tokenizer *ta = tokenizer_new(&cfg, a), *tb = tokenizer_new(&cfg, b);
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            char ra[1024];
            snprintf(ra, sizeof ra, "%s", tok(ta, texts[i]));
            CHECK_STR(tok(tb, texts[i]), ra);
        }
        if (cfg.num_class) CHECK_STR(tok(ta, "二○○一年"), "二○○一年");
        tokenizer_free(ta);
        tokenizer_free(tb);
    }
    tokenizer *ta = mk(1, 0, LANG_AUTO, a), *tb = mk(1, 0, LANG_AUTO, b);
    CHECK_STR(tok(ta, "中华人民共和国和中华人民"), "中华人民共和国 | 和 | 中华人民");
    size_t len;
    char *blob = segdict_serialize(a, &len);
    CHECK(has_line(blob, "中华\t40"));                    /* the higher frequency */
    CHECK(has_line(blob, "豈\t1"));                       /* U+F900 normalised to U+8C48 */
    free(blob);
    tokenizer_free(ta);
    tokenizer_free(tb);
    segdict_free(a);
    segdict_free(b);
    unlink(path);
    free(path);

    /* an error: the lines before it are loaded */
    const char *bad = "中华 3\n人民\n国 x1\n";
    path = write_tmp(bad, strlen(bad));
    a = segdict_new();
    CHECK_INT(segdict_load(a, path), 0);                 /* "x1" is a tag */
    segdict_free(a);
    unlink(path);
    free(path);
    bad = "中华 3\n人民\n国 1x\n共和\n";
    path = write_tmp(bad, strlen(bad));
    a = segdict_new();
    CHECK_INT(segdict_load(a, path), -1);
    CHECK_INT(segdict_size(a), 2);
    segdict_free(a);
    unlink(path);
    free(path);
}

/* Edge cases of segmentation with a dictionary. */
static void test_seg_edge(void)
{
    static const char *const w[] = { "结婚", "的", "和尚", "尚未", "和", "中文", "english", "ok" };
    segdict *d = dict_words(w, sizeof w / sizeof *w);
    segdict_set_hmm(d, 1);
    for (int norm = 0; norm <= 1; norm++) {
        tokenizer *t = mk(norm, 0, LANG_AUTO, d);
        toklist tl = {0};
        tokenize(t, "", 0, &tl);                                 /* empty */
        CHECK_INT(tl.n, 0);
        tokenize(t, " \t\r\n", 4, &tl);                          /* only white space */
        CHECK_INT(tl.n, 0);
        tokenize(t, "\xE2\x80\x8B\xEF\xBB\xBF", 6, &tl);         /* only invisible characters */
        CHECK_INT(tl.n, 0);
        CHECK_STR(tok(t, "结婚\xED\xA0\x80的"), "结婚 | \xEF\xBF\xBD | 的");   /* lone surrogate */
        CHECK_STR(tok(t, "结\xED\xB0\x80婚"), "结 | \xEF\xBF\xBD | 婚");
        CHECK_STR(tok(t, "和尚\xFF\xFE未"), "和尚 | \xEF\xBF\xBD | 未");
        CHECK_STR(tok(t, "结婚\xE7\xBB"), "结婚 | \xEF\xBF\xBD");        /* truncated at the end */
        CHECK_STR(tok(t, norm ? "中文english混合ok" : "中文English混合OK"),
                  norm ? "中文 | english | 混合 | ok" : "中文 | English | 混合 | OK");
        CHECK_STR(tok(t, "中文Ελληνικά русский 한국어 العربية"),
                  norm ? "中文 | ελληνικά | русский | 한국어 | العربية" : "中文 | Ελληνικά | русский | 한국어 | العربية");
        CHECK_STR(tok(t, "中文にほんご"), "中文 | にほんご");
        tokenizer_free(t);
        toklist_free(&tl);
    }

    /* lines of 1 MB: Han only (one stretch), mixed, and with normalize = 0
     * every byte kept */
    size_t big = 1 << 20;
    char *s = xcalloc(big + 16, 1);
    const char *zh = "结婚的和尚未结婚的";
    size_t zl = strlen(zh), reps = big / zl;
    for (size_t i = 0; i < reps; i++) memcpy(s + i * zl, zh, zl);
    toklist tl = {0};
    tokenizer *t = mk(0, 0, LANG_AUTO, d);
    tokenize(t, s, reps * zl, &tl);
    CHECK_INT(tl.n, reps * 6);
    size_t tot = 0;
    for (size_t i = 0; i < tl.n; i++) tot += strlen(toklist_get(&tl, i));
    CHECK_INT(tot, reps * zl);
    const char *mix = "中文ok １２３，";                        /* full width digits and comma */
    size_t ml = strlen(mix);
    reps = big / ml;
    for (size_t i = 0; i < reps; i++) memcpy(s + i * ml, mix, ml);
    toklist_clear(&tl);
    tokenize(t, s, reps * ml, &tl);
    CHECK_INT(tl.n, reps * 4);
    if (tl.n >= 4) {
        CHECK_STR(toklist_get(&tl, 0), "中文");
        CHECK_STR(toklist_get(&tl, 1), "ok");
        CHECK_STR(toklist_get(&tl, 2), "１２３");
        CHECK_STR(toklist_get(&tl, 3), "，");
    }
    /* a stretch of 1 MB of digits and Han characters without a break */
    for (size_t i = 0; i < big; i += 4) memcpy(s + i, i % 8 ? "12" : "3\xE5", 2);
    for (size_t i = 0; i < big; i++) if (!s[i]) s[i] = '7';
    toklist_clear(&tl);
    tokenize(t, s, big, &tl);                                   /* invalid bytes, no crash */
    int ok = 1;
    for (size_t i = 0; i < tl.n && ok; i++) ok = valid_token(toklist_get(&tl, i));
    CHECK(ok);
    toklist_free(&tl);
    tokenizer_free(t);
    free(s);
    segdict_free(d);

    /* segdict_cut directly, with and without a dictionary */
    toklist o = {0};
    segdict_cut(NULL, "二○○一", strlen("二○○一"), &o);
    CHECK_INT(o.n, 4);
    static const char *const w2[] = { "二〇〇〇年", "1998年", "年" };
    segdict *d2 = dict_words(w2, 3);
    toklist_clear(&o);
    segdict_cut(d2, "二○○○年1998年", strlen("二○○○年1998年"), &o);
    CHECK_INT(o.n, 2);
    if (o.n == 2) {
        CHECK_STR(toklist_get(&o, 0), "二○○○年");
        CHECK_STR(toklist_get(&o, 1), "1998年");
    }
    segdict_free(d2);
    toklist_clear(&o);
    segdict_cut(NULL, "", 0, &o);
    CHECK_INT(o.n, 0);
    toklist_free(&o);
}

static void test_edge(void)
{
    segdict *d = small_dict();
    tokenizer *t = mk(1, 1, LANG_AUTO, d);
    toklist tl = {0};

    tokenize(t, "", 0, &tl);
    CHECK_INT(tl.n, 0);
    tokenize(t, NULL, 0, &tl);
    CHECK_INT(tl.n, 0);

    /* appends to what is there */
    tokenize(t, "a b", 3, &tl);
    tokenize(t, "c", 1, &tl);
    CHECK_INT(tl.n, 3);
    CHECK_STR(toklist_get(&tl, 2), "c");

    size_t big = 1 << 20;
    char *s = xmalloc(big + 1);

    /* 1 MB of one letter: one word, squeezed */
    memset(s, 'a', big);
    toklist_clear(&tl);
    tokenize(t, s, big, &tl);
    CHECK_INT(tl.n, 1);
    CHECK_STR(toklist_get(&tl, 0), "aa");

    /* 1 MB of words */
    for (size_t i = 0; i < big; i++) s[i] = "ab cd, "[i % 7];
    toklist_clear(&tl);
    tokenize(t, s, big, &tl);
    CHECK_INT(tl.n, big / 7 * 3 + 2);

    /* ~1 MB of Chinese */
    const char *zh = "结婚的和尚未结婚的";             /* 27 bytes, 6 words */
    size_t zl = strlen(zh), reps = big / zl;
    for (size_t i = 0; i < reps; i++) memcpy(s + i * zl, zh, zl);
    toklist_clear(&tl);
    tokenize(t, s, reps * zl, &tl);
    CHECK_INT(tl.n, reps * 6);
    CHECK_STR(toklist_get(&tl, tl.n - 3), "尚未");

    /* 1 MB of pseudo-random bytes: no crash, every token valid UTF-8 */
    unsigned x = 12345;
    for (size_t i = 0; i < big; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (char)(x >> 16);
    }
    toklist_clear(&tl);
    tokenize(t, s, big, &tl);
    CHECK(tl.n > 0);
    int ok = 1;
    for (size_t i = 0; i < tl.n && ok; i++) ok = valid_token(toklist_get(&tl, i));
    CHECK(ok);

    /* every prefix of a multi-byte text, and a URL with many brackets */
    const char *mixed = "好用！I don't :) 😀 www.x.cn 这个";
    size_t ml = strlen(mixed);
    for (size_t k = 0; k <= ml; k++) {
        toklist_clear(&tl);
        tokenize(t, mixed, k, &tl);
    }
    CHECK_INT(tl.n, 9);
    memcpy(s, "http://x/", 9);
    memset(s + 9, ')', big - 9);
    toklist_clear(&tl);
    tokenize(t, s, big, &tl);
    CHECK_INT(tl.n, 1 + (big - 9));
    CHECK_STR(toklist_get(&tl, 0), "http://x/");

    free(s);
    toklist_free(&tl);
    tokenizer_free(t);
    segdict_free(d);
}

/* The fast path's per-character table (filled as characters are first
 * met) gives what the exact path (text_nfkc_map: decompose, order,
 * compose) gives for every BMP character alone, and a text between two
 * letters normalises the same before and after its entries are filled. */
static void test_nfkc_table(void)
{
    toklist a = {0}, b = {0};
    int bad = 0;
    uint32_t sum[2] = { 0, 0 };
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t c = 0x80; c < 0x10000; c++) {
            if (c >= 0xD800 && c <= 0xDFFF) continue;
            const uint32_t src[3] = { 'x', c, 'y' };
            uint32_t *o1, *o2;
            size_t *os, *oe;
            size_t n1 = text_nfkc_casefold(&a, src + 1, 1, &o1);
            size_t n2 = text_nfkc_map(&b, src + 1, 1, &o2, &os, &oe);
            if ((n1 != n2 || memcmp(o1, o2, n1 * sizeof *o1)) && bad++ < 5)
                fprintf(stderr, "nfkc U+%04X alone (pass %d): %zu vs %zu characters\n", c, pass, n1, n2);
            n1 = text_nfkc_casefold(&a, src, 3, &o1);
            for (size_t k = 0; k < n1; k++) sum[pass] = sum[pass] * 31u + o1[k];
            sum[pass] = sum[pass] * 31u + (uint32_t)n1;
        }
    CHECK_INT(bad, 0);
    CHECK(sum[0] == sum[1]);
    toklist_free(&a);
    toklist_free(&b);
}

/* The tables of a dictionary (what a model file stores beside the blob)
 * copied out as a file would hold them, and adopted. */
typedef struct tables_copy { segdict_tables t; void *mem[5]; } tables_copy;

static void *dup_bytes(const void *p, size_t n)
{
    void *q = xmalloc(n ? n : 1);
    if (n) memcpy(q, p, n);
    return q;
}

static void tables_copy_of(const segdict *d, tables_copy *c)
{
    segdict_tables t;
    segdict_tables_export(d, &t);
    c->t = t;
    c->t.owned_ = NULL;
    c->t.root = c->mem[0] = dup_bytes(t.root, t.nroot * 12);
    c->t.edges = c->mem[1] = dup_bytes(t.edges, t.ecap * 16);
    c->t.filt = c->mem[2] = dup_bytes(t.filt, t.nfilt * 8);
    c->t.hchars = c->mem[3] = dup_bytes(t.hchars, t.hn * 4);
    c->t.hem = c->mem[4] = dup_bytes(t.hem, t.hn * 32);
    segdict_tables_release(&t);
}

static void tables_copy_free(tables_copy *c)
{
    for (int i = 0; i < 5; i++) free(c->mem[i]);
}

/* Every line of a file, NUL-terminated, in one buffer; *n lines. */
static char **read_lines(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char **v = NULL, line[8192];
    *n = 0;
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        v = xrealloc(v, (*n + 1) * sizeof *v);
        v[(*n)++] = xstrdup(line);
    }
    if (fp) fclose(fp);
    return v;
}

/* A dictionary adopted from its tables (segdict_adopt: what a model file's
 * load uses) cuts every text exactly as the dictionary read from its blob
 * (segdict_deserialize), serialises to the same blob, and rebuilds itself
 * from the blob before any change; tables out of range are refused. */
static void test_tables(void)
{
    size_t nt = 0, nw = 0;
    char **texts = read_lines("tests/data/hotel_zh.train.csv", &nt);
    char **extra = read_lines("tests/data/reviews_zh.txt", &nw);
    CHECK(nt > 500 && nw > 5);
    static const char *const more[] = {
        "中华人民共和国和中华人民", "2001年买了T恤", "卡拉OK一九九八年", "三五成群的iPhone，还有〇〇七",
        "二○○一年第一二", "1998年12月", "人民共和国中国华人好好好", "诺曼底登陆的艾森豪威尔", "",
    };
    int dicts = 0, same = 0, compared = 0;
    for (int kind = 0; kind < 3; kind++) {
        segdict *a = segdict_new();
        if (kind == 0) {   /* a bundled dictionary file (bulk), then user words */
            CHECK_INT(segdict_load(a, "tests/data/zh_dict.txt"), 0);
            segdict_add_user(a, "艾森豪威尔", strlen("艾森豪威尔"), 0);
            segdict_add(a, "iphone", 6, 30);
        } else if (kind == 1) {   /* ranked (word2vec vocabularies) */
            static const char *const ranked[] = { "的", "，", "酒店", "不错", "2", "一二", "房间", "12", "ok", "一", "服务" };
            segdict_add_ranked(a, ranked, sizeof ranked / sizeof *ranked);
        } else {   /* word by word, numbers, classes, Latin, fractions */
            static const struct { const char *w; double f; } words[] = {
                {"中华人民共和国", 10}, {"2001年", 3}, {"中华", 30}, {"一九九八年", 1e7 / 3}, {"人民", 50},
                {"T恤", 2}, {"三五成群", 7.25}, {"三五", 0.1}, {"卡拉ok", 4}, {"，还", 9}, {"和", 100},
                {"二○○一年", 1e7 / 7}, {"中", 1e7 / 11}, {"华", 20}, {"人", 60}, {"酒店", 90}, {"的", 800},
            };
            for (size_t i = 0; i < sizeof words / sizeof *words; i++)
                segdict_add(a, words[i].w, strlen(words[i].w), words[i].f);
        }
        size_t len;
        char *blob = segdict_serialize(a, &len);
        segdict *b = segdict_deserialize(blob, len);
        tables_copy c;
        tables_copy_of(b, &c);
        segdict *d = segdict_adopt(blob, len, &c.t);
        CHECK_MSG(d != NULL, "%s", err_msg());
        if (!b || !d) continue;
        dicts++;
        CHECK(segdict_adopted(d) && !segdict_adopted(b));
        CHECK_INT(segdict_size(d), segdict_size(b));
        size_t len2;
        char *blob2 = segdict_serialize(d, &len2);
        CHECK(len2 == len && memcmp(blob2, blob, len) == 0);
        free(blob2);
        tok_config cfg;
        tok_config_default(&cfg);
        int ok = 1;
        for (int hmm = 0; hmm <= 2; hmm++)
            for (cfg.num_class = 0; cfg.num_class <= 1; cfg.num_class++) {
                segdict_set_hmm(b, hmm);
                segdict_set_hmm(d, hmm);
                tokenizer *tb = tokenizer_new(&cfg, b), *td = tokenizer_new(&cfg, d);
                for (size_t i = 0; i < nt + nw + sizeof more / sizeof *more; i++) {
                    const char *x = i < nt ? texts[i] : i < nt + nw ? extra[i - nt] : more[i - nt - nw];
                    char rb[16384];
                    snprintf(rb, sizeof rb, "%s", tok(tb, x));
                    ok &= strcmp(tok(td, x), rb) == 0;
                    compared++;
                }
                tokenizer_free(tb);
                tokenizer_free(td);
            }
        same += ok;
        /* a change: rebuilt from the blob first, then as b with the change */
        segdict_set_hmm(b, 1);
        segdict_set_hmm(d, 1);
        segdict_add(d, "尚未结婚", strlen("尚未结婚"), 5);
        segdict_add(b, "尚未结婚", strlen("尚未结婚"), 5);
        CHECK(!segdict_adopted(d));
        char *x1 = segdict_serialize(b, &len), *x2 = segdict_serialize(d, &len2);
        CHECK(len == len2 && memcmp(x1, x2, len) == 0);
        free(x1);
        free(x2);
        segdict_free(d);

        /* tables out of range: refused, not used */
        segdict_tables t = c.t;
        t.en = t.ecap;                            /* no empty slot: a miss would never end */
        CHECK(segdict_adopt(blob, len, &t) == NULL);
        t = c.t;
        if (t.ecap) {
            t.en = c.t.en ? c.t.en - 1 : 1;       /* a count the table does not hold */
            CHECK(segdict_adopt(blob, len, &t) == NULL);
            t = c.t;
            t.nfilt = c.t.nfilt / 2;              /* a filter smaller than its shift says */
            CHECK(segdict_adopt(blob, len, &t) == NULL);
            t = c.t;
        }
        if (t.nroot) {
            uint32_t *r = c.mem[0], keep = r[0];
            r[0] = 0x10000;                       /* a root child outside the BMP array */
            CHECK(segdict_adopt(blob, len, &t) == NULL);
            r[0] = keep;
        }
        if (t.hn) {
            uint32_t *h = c.mem[3], keep = h[0];
            h[0] = 0x123456;
            CHECK(segdict_adopt(blob, len, &t) == NULL);
            h[0] = keep;
        }
        d = segdict_adopt(blob, len, &c.t);       /* and the copy is intact */
        CHECK(d != NULL);
        segdict_free(d);
        tables_copy_free(&c);
        segdict_free(b);
        free(blob);
        segdict_free(a);
    }
    CHECK_INT(dicts, 3);
    CHECK_INT(same, dicts);
    CHECK(compared > 3 * 6 * 500);
    for (size_t i = 0; i < nt; i++) free(texts[i]);
    for (size_t i = 0; i < nw; i++) free(extra[i]);
    free(texts);
    free(extra);
}

int main(void)
{
    test_nfkc_table();
    test_config();
    test_toklist();
    test_normalize();
    test_invalid_utf8();
    test_english();
    test_chinese();
    test_ranked();
    test_serialize();
    test_load();
    test_edge();
    test_mixed_units();
    test_no_normalize();
    test_user_dict();
    test_hmm();
    test_bulk_load();
    test_deserialize_bulk();
    test_seg_edge();
    test_tables();
    TEST_END();
}
