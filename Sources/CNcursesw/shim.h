#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags, so they are defined here.
   _XOPEN_SOURCE also declares wcwidth()/wcswidth(). */
#define _DEFAULT_SOURCE 1
#define _XOPEN_SOURCE 600
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncurses.h>

/* Function-like macros are not imported by Swift: re-exported as constants and functions. */
static const attr_t CN_A_NORMAL    = A_NORMAL;
static const attr_t CN_A_BOLD      = A_BOLD;
static const attr_t CN_A_REVERSE   = A_REVERSE;
static const attr_t CN_A_UNDERLINE = A_UNDERLINE;
static const attr_t CN_A_DIM       = A_DIM;
static const attr_t CN_A_ITALIC    = A_ITALIC;
static inline int     cn_key_f(int n) { return KEY_F(n); }
static inline int     cn_colors(void) { return COLORS; }
static inline int     cn_color_pairs(void) { return COLOR_PAIRS; }
static const mmask_t  CN_BUTTON1_CLICKED = BUTTON1_CLICKED;
static const mmask_t  CN_BUTTON1_PRESSED = BUTTON1_PRESSED;
static const mmask_t  CN_BUTTON4_PRESSED = BUTTON4_PRESSED;
static const mmask_t  CN_BUTTON5_PRESSED = BUTTON5_PRESSED;
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int     cn_lines(void)  { return LINES; }
static inline int     cn_cols(void)   { return COLS; }
/* Whether TERM names a terminal that can be drawn on: 1 yes, 0 unknown to terminfo, -1 one that
   cannot place the cursor (dumb). Asked before initscr, which exits on an unknown one. */
extern int setupterm(const char *, int, int *);
static inline int cn_terminal_usable(void) {
    int err = 0;
    if (setupterm(NULL, 1, &err) != 0) return 0;
    char *cup = tigetstr("cup");
    return (cup == NULL || cup == (char *)-1) ? -1 : 1;
}
/* Standard output by lines, also into a file or a pipe (Swift 6 cannot name the stdout global). */
#include <stdio.h>
static inline void cn_line_buffered_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
#endif
