#include "CImageGlue.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <jpeglib.h>
#include <jerror.h>

static void copy_message(char *destination, const char *source) {
    snprintf(destination, CIG_MESSAGE_SIZE, "%s", source);
}

// ---------------------------------------------------------------------------------------------
// PNG

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
    char *message;
} PNGSource;

static void png_glue_error(png_structp png, png_const_charp text) {
    PNGSource *source = (PNGSource *)png_get_error_ptr(png);
    copy_message(source->message, text);
    png_longjmp(png, 1);
}

static void png_glue_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // recovered from by libpng: nothing to tell the user
}

static void png_glue_read(png_structp png, png_bytep out, size_t length) {
    PNGSource *source = (PNGSource *)png_get_io_ptr(png);
    if (length > source->size - source->position) {
        png_error(png, "the file ends early (truncated)");
    }
    memcpy(out, source->data + source->position, length);
    source->position += length;
}

/// Reads the header and sets up the expansions; with `samples`, decodes the whole image too.
static int png_run(const uint8_t *data, size_t size, uint16_t *samples, size_t sample_count, CIGInfo *info) {
    memset(info, 0, sizeof *info);
    PNGSource source = {data, size, 0, info->message};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_glue_error, png_glue_warning);
    if (png == NULL) {
        copy_message(info->message, "libpng could not start (out of memory)");
        return -1;
    }
    png_infop pinfo = png_create_info_struct(png);
    if (pinfo == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        copy_message(info->message, "libpng could not start (out of memory)");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    png_set_read_fn(png, &source, png_glue_read);
    png_read_info(png, pinfo);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, pinfo, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    info->width = width;
    info->height = height;
    info->file_bit_depth = bit_depth;
    info->file_color_type = color_type;
    info->interlaced = interlace != PNG_INTERLACE_NONE;
    info->has_transparency = png_get_valid(png, pinfo, PNG_INFO_tRNS) != 0;

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (info->has_transparency) png_set_tRNS_to_alpha(png);
    int passes = info->interlaced ? png_set_interlace_handling(png) : 1;
    png_read_update_info(png, pinfo);
    info->channels = png_get_channels(png, pinfo);
    info->bit_depth = png_get_bit_depth(png, pinfo);

    if (samples == NULL) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return 0;
    }
    if (sample_count != (size_t)width * height * (size_t)info->channels || info->channels < 1 || info->channels > 4
        || (info->bit_depth != 8 && info->bit_depth != 16)) {
        png_error(png, "decoded layout differs from the header's");
    }
    size_t row_bytes = png_get_rowbytes(png, pinfo);
    size_t bytes_per_sample = (size_t)info->bit_depth / 8;
    if (row_bytes != (size_t)width * info->channels * bytes_per_sample) {
        png_error(png, "decoded row length differs from the header's");
    }
    // libpng's rows go straight into the caller's buffer, so the image is held once, not twice:
    // 16-bit rows fill it exactly (big-endian, swapped below); 8-bit rows fill its second half and
    // are widened below from the front, where each sample is read before its slot is written.
    uint8_t *buffer = (uint8_t *)samples;
    uint8_t *rows_start = bytes_per_sample == 1 ? buffer + sample_count : buffer;
    // An interlaced image is read pass by pass over the same rows; libpng fills in each pass's pixels.
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 row = 0; row < height; row++) png_read_row(png, rows_start + (size_t)row * row_bytes, NULL);
    }
    png_read_end(png, NULL);

    if (bytes_per_sample == 1) {
        for (size_t index = 0; index < sample_count; index++) {
            uint8_t value = rows_start[index];
            samples[index] = value;
        }
    } else {
        for (size_t index = 0; index < sample_count; index++) {
            uint16_t value = (uint16_t)(buffer[2 * index] << 8 | buffer[2 * index + 1]);
            samples[index] = value;
        }
    }
    png_destroy_read_struct(&png, &pinfo, NULL);
    return 0;
}

int cig_png_header(const uint8_t *data, size_t size, CIGInfo *info) {
    return png_run(data, size, NULL, 0, info);
}

int cig_png_decode(const uint8_t *data, size_t size, uint16_t *samples, size_t sample_count, CIGInfo *info) {
    return png_run(data, size, samples, sample_count, info);
}

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    char *message;
} PNGSink;

static void png_sink_error(png_structp png, png_const_charp text) {
    PNGSink *sink = (PNGSink *)png_get_error_ptr(png);
    copy_message(sink->message, text);
    png_longjmp(png, 1);
}

static void png_sink_write(png_structp png, png_bytep bytes, size_t length) {
    PNGSink *sink = (PNGSink *)png_get_io_ptr(png);
    if (length > sink->capacity - sink->size) {
        size_t capacity = sink->capacity < 4096 ? 4096 : sink->capacity;
        while (length > capacity - sink->size) capacity *= 2;
        uint8_t *grown = realloc(sink->data, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
}

static void png_sink_flush(png_structp png) { (void)png; }

int cig_png_encode(const uint16_t *samples, uint32_t width, uint32_t height, int channels, int bit_depth,
                   int interlaced, uint8_t **output, size_t *output_size, char *message) {
    static const int color_types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                      PNG_COLOR_TYPE_RGB_ALPHA};
    *output = NULL;
    *output_size = 0;
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        copy_message(message, "PNG needs 1-4 channels of 8 or 16 bits");
        return -1;
    }
    PNGSink sink = {NULL, 0, 0, message};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_sink_error, png_glue_warning);
    if (png == NULL) {
        copy_message(message, "libpng could not start (out of memory)");
        return -1;
    }
    png_infop pinfo = png_create_info_struct(png);
    uint8_t *volatile row = NULL;
    if (pinfo == NULL || setjmp(png_jmpbuf(png))) {
        if (pinfo == NULL) copy_message(message, "libpng could not start (out of memory)");
        free(row);
        free(sink.data);
        png_destroy_write_struct(&png, &pinfo);
        return -1;
    }
    png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
    png_set_IHDR(png, pinfo, width, height, bit_depth, color_types[channels - 1],
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, pinfo);
    size_t row_samples = (size_t)width * channels;
    size_t bytes_per_sample = (size_t)bit_depth / 8;
    row = malloc(row_samples * bytes_per_sample);
    if (row == NULL) png_error(png, "out of memory");
    int passes = interlaced ? png_set_interlace_handling(png) : 1;
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < height; y++) {
            const uint16_t *source = samples + (size_t)y * row_samples;
            for (size_t index = 0; index < row_samples; index++) {
                if (bytes_per_sample == 1) {
                    row[index] = (uint8_t)source[index];
                } else {
                    row[2 * index] = (uint8_t)(source[index] >> 8);
                    row[2 * index + 1] = (uint8_t)(source[index] & 0xFF);
                }
            }
            png_write_row(png, row);
        }
    }
    png_write_end(png, NULL);
    free(row);
    row = NULL;
    png_destroy_write_struct(&png, &pinfo);
    *output = sink.data;
    *output_size = sink.size;
    return 0;
}

// ---------------------------------------------------------------------------------------------
// JPEG

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    CIGInfo *info;
    char *message;
} JPEGErrors;

static void jpeg_glue_error_exit(j_common_ptr cinfo) {
    JPEGErrors *errors = (JPEGErrors *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    if (cinfo->err->msg_code == JERR_NO_BACKING_STORE) {
        snprintf(text, sizeof text, "decoding it would need more memory than the limit of %ld bytes",
                 cinfo->mem->max_memory_to_use);
    }
    copy_message(errors->message, text);
    longjmp(errors->jump, 1);
}

/// Warnings (level -1) are corrupt data libjpeg recovered from. Running out of data is not
/// recoverable for us: libjpeg would pad the image with grey, so a truncated file is an error.
static void jpeg_glue_emit_message(j_common_ptr cinfo, int level) {
    JPEGErrors *errors = (JPEGErrors *)cinfo->err;
    if (level != -1) return;  // trace messages
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
        copy_message(errors->message, "the file ends early (truncated)");
        longjmp(errors->jump, 1);
    }
    if (errors->info != NULL) {
        if (errors->info->warnings == 0) {
            char text[JMSG_LENGTH_MAX];
            cinfo->err->format_message(cinfo, text);
            copy_message(errors->info->message, text);
        }
        errors->info->warnings++;
    }
}

static void jpeg_glue_output_message(j_common_ptr cinfo) { (void)cinfo; }

/// A progressive file can hold thousands of tiny scans and take minutes to decode: refuse it
/// (libjpeg-turbo's own fuzzers use the same limit).
#define CIG_JPEG_MAX_SCANS 500

static void jpeg_glue_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr decompress = (j_decompress_ptr)cinfo;
    if (decompress->input_scan_number > CIG_JPEG_MAX_SCANS) {
        JPEGErrors *errors = (JPEGErrors *)cinfo->err;
        snprintf(errors->message, CIG_MESSAGE_SIZE, "more than %d progressive scans (corrupt or hostile)",
                 CIG_JPEG_MAX_SCANS);
        longjmp(errors->jump, 1);
    }
}

static int jpeg_run(const uint8_t *data, size_t size, int scale_denom, long max_memory, uint16_t *samples,
                    size_t sample_count, CIGInfo *info) {
    memset(info, 0, sizeof *info);
    struct jpeg_decompress_struct cinfo;
    JPEGErrors errors;
    struct jpeg_progress_mgr progress;
    char message[CIG_MESSAGE_SIZE] = "";
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jpeg_glue_error_exit;
    errors.manager.emit_message = jpeg_glue_emit_message;
    errors.manager.output_message = jpeg_glue_output_message;
    errors.info = info;
    errors.message = message;
    uint8_t *volatile row = NULL;
    if (setjmp(errors.jump)) {
        free(row);
        jpeg_destroy_decompress(&cinfo);
        copy_message(info->message, message);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    // libjpeg's own big buffers (a progressive file's coefficients, held whole) may not pass this:
    // without a backing store it stops with JERR_NO_BACKING_STORE instead of allocating more.
    if (max_memory > 0) cinfo.mem->max_memory_to_use = max_memory;
    progress.progress_monitor = jpeg_glue_progress;
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = cinfo.image_width;
    info->height = cinfo.image_height;
    info->file_bit_depth = cinfo.data_precision;
    info->file_color_type = cinfo.jpeg_color_space;
    info->interlaced = cinfo.progressive_mode ? 1 : 0;
    info->arithmetic = cinfo.arith_code ? 1 : 0;
    info->components = cinfo.num_components;
    info->multiple_scans = jpeg_has_multiple_scans(&cinfo) ? 1 : 0;
    info->bit_depth = 8;
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        cinfo.out_color_space = JCS_GRAYSCALE;
        info->channels = 1;
    } else if (cmyk) {
        cinfo.out_color_space = JCS_CMYK;
        info->channels = 3;
    } else {
        cinfo.out_color_space = JCS_RGB;
        info->channels = 3;
    }
    if (samples == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    // Scaled in the inverse DCT: 1/2, 1/4 or 1/8 costs that much less at every step after.
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)(scale_denom > 0 ? scale_denom : 1);
    jpeg_calc_output_dimensions(&cinfo);
    info->width = cinfo.output_width;
    info->height = cinfo.output_height;
    if (sample_count != (size_t)info->width * info->height * (size_t)info->channels) {
        copy_message(message, "decoded layout differs from the header's");
        longjmp(errors.jump, 1);
    }
    // For a progressive file this reads all of the data first, so one that ends early stops here,
    // before a row of the output has been written.
    jpeg_start_decompress(&cinfo);
    size_t components = (size_t)cinfo.output_components;
    if (cinfo.output_width != info->width || cinfo.output_height != info->height
        || components != (cmyk ? 4u : (size_t)info->channels)) {
        copy_message(message, "decoded layout differs from the header's");
        longjmp(errors.jump, 1);
    }
    size_t row_samples = (size_t)cinfo.output_width * components;
    row = malloc(row_samples);
    if (row == NULL) {
        copy_message(message, "out of memory");
        longjmp(errors.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
            copy_message(message, "the file ends early (truncated)");
            longjmp(errors.jump, 1);
        }
        uint16_t *out = samples + y * cinfo.output_width * (size_t)info->channels;
        if (cmyk) {
            // libjpeg writes Adobe's inverted CMYK: each value is 255 - ink, so red = C·K / 255.
            for (size_t x = 0; x < cinfo.output_width; x++) {
                const uint8_t *p = row + 4 * x;
                out[3 * x] = (uint16_t)((p[0] * p[3] + 127) / 255);
                out[3 * x + 1] = (uint16_t)((p[1] * p[3] + 127) / 255);
                out[3 * x + 2] = (uint16_t)((p[2] * p[3] + 127) / 255);
            }
        } else {
            for (size_t index = 0; index < row_samples; index++) out[index] = row[index];
        }
    }
    jpeg_finish_decompress(&cinfo);
    free(row);
    row = NULL;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int cig_jpeg_header(const uint8_t *data, size_t size, CIGInfo *info) {
    return jpeg_run(data, size, 1, 0, NULL, 0, info);
}

int cig_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, long max_memory, uint16_t *samples,
                    size_t sample_count, CIGInfo *info) {
    return jpeg_run(data, size, scale_denom, max_memory, samples, sample_count, info);
}

int cig_jpeg_encode(const uint8_t *samples, uint32_t width, uint32_t height, int channels, int quality,
                    int progressive, uint8_t **output, size_t *output_size, char *message) {
    *output = NULL;
    *output_size = 0;
    if (channels != 1 && channels != 3) {
        copy_message(message, "JPEG needs grey (1 channel) or RGB (3 channels)");
        return -1;
    }
    struct jpeg_compress_struct cinfo;
    JPEGErrors errors;
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jpeg_glue_error_exit;
    errors.manager.emit_message = jpeg_glue_emit_message;
    errors.manager.output_message = jpeg_glue_output_message;
    errors.info = NULL;
    errors.message = message;
    // jpeg_mem_dest owns and grows this buffer; we free it if anything fails.
    unsigned char *volatile buffer = NULL;
    unsigned long buffer_size = 0;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &buffer_size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row_samples = (size_t)width * channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1] = {(JSAMPROW)(samples + (size_t)cinfo.next_scanline * row_samples)};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *output = buffer;
    *output_size = buffer_size;
    return 0;
}

void cig_free(void *pointer) { free(pointer); }
