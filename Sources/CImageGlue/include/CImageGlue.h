#ifndef CIMAGEGLUE_H
#define CIMAGEGLUE_H

// libpng and libjpeg report errors by longjmp (libpng) or by calling exit() (libjpeg's default
// handler): neither may cross into Swift. Every function here sets its own recovery point, so a
// truncated or corrupt file comes back as a status and a message, never as a crash or an exit.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CIG_MESSAGE_SIZE 256

/// What a header says, after the expansions the decoder applies (palette to RGB(A), transparency
/// to alpha, grey below 8 bits to 8 bits; CMYK JPEG to RGB).
typedef struct {
    uint32_t width;
    uint32_t height;
    /// Samples per pixel as decoded: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
    int channels;
    /// Bits per decoded sample: 8 or 16.
    int bit_depth;
    /// As the file holds it: PNG bit depth (1, 2, 4, 8, 16); JPEG 8 (or 12).
    int file_bit_depth;
    /// PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA); JPEG colour space (J_COLOR_SPACE).
    int file_color_type;
    /// PNG: Adam7 interlaced; JPEG: progressive.
    int interlaced;
    /// PNG: a tRNS chunk (turned into alpha).
    int has_transparency;
    /// JPEG: arithmetic rather than Huffman coding.
    int arithmetic;
    /// JPEG: more than one scan (progressive, or one component per scan): libjpeg holds every
    /// coefficient of the image (2 bytes each, 64 per 8x8 block per component) while decoding.
    int multiple_scans;
    /// JPEG: colour components in the file (1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK).
    int components;
    /// Warnings the library gave and recovered from (JPEG); the first is in `message`.
    int warnings;
    char message[CIG_MESSAGE_SIZE];
} CIGInfo;

/// 0 on success; -1 with `info->message` set.
int cig_png_header(const uint8_t *data, size_t size, CIGInfo *info);
/// Decodes into `samples` (`sample_count` must be width * height * channels from the header), using no
/// full-image buffer of its own: 8-bit samples arrive widened to 16 bits.
int cig_png_decode(const uint8_t *data, size_t size, uint16_t *samples, size_t sample_count, CIGInfo *info);

int cig_jpeg_header(const uint8_t *data, size_t size, CIGInfo *info);
/// 8-bit samples (widened to 16 bits) into `samples`, decoded at 1/`scale_denom` of the stored size (1, 2, 4
/// or 8; `sample_count` must be ceil(width / scale_denom) * ceil(height / scale_denom) * channels), with
/// libjpeg's own large buffers limited to `max_memory` bytes (0: no limit). `info` gives the decoded size.
int cig_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, long max_memory, uint16_t *samples,
                    size_t sample_count, CIGInfo *info);

/// PNG bytes of `samples` (1-4 channels, 8- or 16-bit values in uint16s), in a buffer the caller
/// frees with `cig_free`. 0 on success; -1 with `message` set.
int cig_png_encode(const uint16_t *samples, uint32_t width, uint32_t height, int channels, int bit_depth,
                   int interlaced, uint8_t **output, size_t *output_size, char *message);
/// JPEG bytes of 8-bit grey (1 channel) or RGB (3) samples; free with `cig_free`.
int cig_jpeg_encode(const uint8_t *samples, uint32_t width, uint32_t height, int channels, int quality,
                    int progressive, uint8_t **output, size_t *output_size, char *message);

void cig_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
