#ifndef BALLAST_CCURL_H
#define BALLAST_CCURL_H
#include <curl/curl.h>
#endif
