/* test_text.c - normalisation, English tokenizer, Chinese segmentation,
 * segmentation dictionary (load / serialise), toklist. */
#include "test.h"
#include "text.h"
#include "err.h"

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
    CHECK_STR(tok(t, "真心好"), "真 | 心 | 好");                           /* unknown chars: one each */
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
    CHECK(strstr(blob, "的\t10000000\n") == blob);
    CHECK(strstr(blob, "\n酒店\t5000000\n") != NULL);
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
    CHECK(strncmp(blob, "结婚\t100\n", strlen("结婚\t100\n")) == 0);     /* BOM not part of the word */
    CHECK(strstr(blob, "\n未\t1\n") != NULL);                             /* default frequency */
    free(blob);
    segdict_free(d);
    unlink(path);
    free(path);

    char msg[512];
    const char *bad = "好 10\n坏 abc\n";
    path = write_tmp(bad, strlen(bad));
    d = segdict_new();
    CHECK_INT(segdict_load(d, path), -1);
    snprintf(msg, sizeof msg, "%s:2: bad frequency 'abc'", path);
    CHECK_STR(err_msg(), msg);
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

int main(void)
{
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
    TEST_END();
}
