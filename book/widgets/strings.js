// The widgets' text in the book's translated editions, keyed by the English text that the
// widgets pass to `CnnWidgets.t` (core.js). `{name}` stands for a number or a name the
// widget fills in. Numbers are never written here: every number a widget shows comes from
// its computation or from cnn-core's data. A text used by a widget and missing from a
// language's table is logged as a console error, which `cargo xtask browser-test` reports.

"use strict";

window.CnnWidgetStrings = {
  "zh-CN": {
    // core.js
    "This widget could not start: {error}": "这个小部件无法启动：{error}",

    // convolution.js
    "Try it: the convolution stepper": "动手试试：逐步卷积",
    "Step with the buttons, or focus the input and use the arrow keys (Home and End jump to the first and last position); click or drag on the input to move the window. Edit the kernel's weights, or press “Edit the image” to change the pixels.":
      "用按钮逐步前进，或者聚焦输入后用方向键（Home 和 End 跳到第一个和最后一个位置）；在输入上点击或拖动来移动窗口。可以修改卷积核的权值，或者按“编辑图像”来改变像素。",
    "Start from": "起点",
    "the lecture image, filter 1 (diagonal)": "讲义图像，滤波器 1（对角线）",
    "the lecture image, filter 2 (vertical)": "讲义图像，滤波器 2（竖线）",
    stride: "步幅",
    padding: "填充",
    "◀ Back": "◀ 后退",
    "Step ▶": "前进 ▶",
    "Show all": "全部显示",
    "Edit the image": "编辑图像",
    Reset: "重置",
    "kernel weight row {u} column {v}": "卷积核权值，第 {u} 行第 {v} 列",
    "pixel row {r} column {c}": "像素，第 {r} 行第 {c} 列",
    "image x (edit the pixels)": "图像 x（编辑像素）",
    "input x, padded by {p}": "输入 x，填充 {p}",
    "Done editing": "完成编辑",
    "Fill step by step": "逐步填充",
    "output y, {o} x {o}": "输出 y，{o} x {o}",
    "position ({i}, {j}): the window starts at row {row}, column {column} of the padded input":
      "位置 ({i}, {j})：窗口从填充后输入的第 {row} 行、第 {column} 列开始",
    "sum of the nine products: y[{i}, {j}] = {sum}": "九个乘积之和：y[{i}, {j}] = {sum}",

    // output-size.js
    "Try it: output size": "动手试试：输出大小",
    "Change W, K, P and S (the fields take the arrow keys). Step or play to slide the window; each number in a pixel is how many windows cover it, and a red pixel is never covered.":
      "修改 W、K、P 和 S（输入框支持方向键）。逐步前进或播放来滑动窗口；像素里的数字表示有多少个窗口覆盖它，红色像素从未被覆盖。",
    "input W": "输入 W",
    "kernel K": "卷积核 K",
    "padding P": "填充 P",
    "stride S": "步幅 S",
    "stride s": "步幅 s",
    Play: "播放",
    Pause: "暂停",
    "The kernel does not fit: K = {k} is larger than the padded input W + 2P = {padded}.":
      "卷积核放不下：K = {k} 大于填充后的输入 W + 2P = {padded}。",
    "cnn-core refuses this configuration with an error that gives these numbers.":
      "cnn-core 会拒绝这种配置，并在报错信息中给出这些数。",
    "padded input, {padded} by {padded}": "填充后的输入，{padded} x {padded}",
    "input {n} x {n}, padded to {padded} x {padded}": "输入 {n} x {n}，填充到 {padded} x {padded}",
    "output {o} x {o}, window ({i}, {j})": "输出 {o} x {o}，窗口 ({i}, {j})",
    "W + 2P − K = {inner} is a multiple of S = {s}: the windows fit exactly.":
      "W + 2P − K = {inner} 是 S = {s} 的倍数：窗口恰好放满。",
    "W + 2P − K = {inner} is not a multiple of S = {s}: the floor drops the remainder {inner} mod {s} = {dropped}, so the last {dropped} row and column of the padded input are never covered.":
      "W + 2P − K = {inner} 不是 S = {s} 的倍数：向下取整丢掉了余数 {inner} mod {s} = {dropped}，所以填充后输入的最后 {dropped} 行和列从未被覆盖。",
    "W + 2P − K = {inner} is not a multiple of S = {s}: the floor drops the remainder {inner} mod {s} = {dropped}, so the last {dropped} rows and columns of the padded input are never covered.":
      "W + 2P − K = {inner} 不是 S = {s} 的倍数：向下取整丢掉了余数 {inner} mod {s} = {dropped}，所以填充后输入的最后 {dropped} 行和列从未被覆盖。",

    // pooling.js
    "Try it: pooling": "动手试试：池化",
    "Choose the map, max or average, the window and the stride. On the lecture maps, click an output value (or focus it and press Enter) to see its window. On the photo, move the shift slider to move the camera and see how much the pooled map changes.":
      "选择特征图、最大或平均池化、窗口和步幅。在讲义的特征图上，点击一个输出值（或聚焦后按 Enter）查看它的窗口。在照片上，拖动平移滑块来移动相机，看看池化后的特征图变化多少。",
    map: "特征图",
    "lecture, filter 1 (diagonal)": "讲义，滤波器 1（对角线）",
    "lecture, filter 2 (vertical)": "讲义，滤波器 2（竖线）",
    "photo: vertical edges": "照片：竖直边缘",
    pooling: "池化",
    max: "最大",
    average: "平均",
    "window k": "窗口 k",
    "camera shift in pixels": "相机平移的像素数",
    "A {k} x {k} window does not fit the 4 x 4 map.": "{k} x {k} 的窗口放不进 4 x 4 的特征图。",
    "feature map, 4 x 4": "特征图，4 x 4",
    "max pooled, {h} x {w}": "最大池化后，{h} x {w}",
    "average pooled, {h} x {w}": "平均池化后，{h} x {w}",
    "the photo, moved by {shift} px": "照片，平移 {shift} 像素",
    "its vertical edges": "它的竖直边缘",
    "the pooled edge map": "池化后的边缘图",
    "photo, moved {shift} px": "照片，平移 {shift} 像素",
    "vertical edges, {n} x {n}": "竖直边缘，{n} x {n}",
    "Change of the pooled map after a {shift} px shift, ‖after − before‖ / ‖before‖ = ":
      "平移 {shift} 像素后池化特征图的变化，‖after − before‖ / ‖before‖ = ",
    " (without pooling: {change}). 0 is unchanged; 1 is as far as an all-zero map.":
      "（不池化时：{change}）。0 表示没有变化；1 表示与全零特征图的距离。",

    // receptive-field.js
    "Try it: receptive fields": "动手试试：感受野",
    "Start from a stack, or add and remove layers and change their kernels and strides. The picture shows, for one value of each layer, the patch of input pixels it depends on; focus a row of the table to pick out its square.":
      "从一组预设的层开始，或者添加、删除层并修改它们的卷积核和步幅。图中对每一层的一个值画出它所依赖的输入像素区域；聚焦表格的一行可以突出显示对应的方块。",
    stack: "层的组合",
    "six 3x3 convolutions": "六个 3x3 卷积",
    "six 3x3 convolutions, pooling after the 2nd and 4th (VGG)": "六个 3x3 卷积，在第 2 个和第 4 个之后池化（VGG）",
    "Tiny VGG": "Tiny VGG",
    "LeNet-5": "LeNet-5",
    "one 7x7 convolution": "一个 7x7 卷积",
    "ResNet's first layers": "ResNet 的前几层",
    "+ 3x3 convolution": "+ 3x3 卷积",
    "+ 2x2 pooling": "+ 2x2 池化",
    "Remove all": "全部删除",
    "receptive fields drawn on the input": "画在输入上的感受野",
    layer: "层",
    kernel: "卷积核",
    "field r": "感受野 r",
    "jump j": "跳距 j",
    "layer {n} kind": "第 {n} 层的类型",
    "layer {n} kernel": "第 {n} 层的卷积核",
    "layer {n} stride": "第 {n} 层的步幅",
    conv: "卷积",
    pool: "池化",
    "remove layer {n}": "删除第 {n} 层",
    "One value of the last layer depends on {r} x {r} input pixels; neighbouring values are {j} pixels apart.":
      "最后一层的一个值依赖于 {r} x {r} 个输入像素；相邻的值相隔 {j} 个像素。",
    "No layers: every value is one pixel.": "没有层：每个值就是一个像素。",

    // tiny-vgg.js
    "Try it: the Tiny VGG explorer": "动手试试：Tiny VGG 探索器",
    "Pick an image, or classify your own photo (it stays in your browser: this page reads and classifies it, nothing is sent anywhere). Click a feature map (or focus it and press Enter) to see how it was computed; point at the enlarged map, or focus it and use the arrow keys, to see the dot product at that position.":
      "选一张图像，或者对你自己的照片分类（照片留在你的浏览器里：由本页读取并分类，不会发送到任何地方）。点击一张特征图（或聚焦后按 Enter）查看它是怎样算出来的；指向放大的特征图，或聚焦后用方向键，查看该位置上的点积。",
    "more samples": "更多样例",
    "one of the ten images of CNN Explainer's picker": "CNN Explainer 选图器中的十张图像之一",
    "one of the other sample images": "其他样例图像之一",
    "your photo": "你的照片",
    ": used as it is.": "：按原样使用。",
    ": short side scaled to 65 pixels by the browser, centre 64 x 64 cut out.":
      "：浏览器把短边缩放到 65 像素，再裁出中间的 64 x 64。",
    "Could not read {name} as a PNG or JPEG image ({error}).": "无法把 {name} 读取为 PNG 或 JPEG 图像（{error}）。",
    "{layer} channel {c}": "{layer} 通道 {c}",
    probabilities: "概率",
    "{layer} channel {c}, enlarged; arrow keys move the position": "{layer} 通道 {c}，放大显示；方向键移动位置",
    "y = b + Σ over channels c and the 3 × 3 window of x · w. Input windows, kernels of filter {c} and their dot products:":
      "y = b + 对所有通道 c 和 3 × 3 窗口求和 x · w。输入窗口、滤波器 {c} 的卷积核以及它们的点积：",
    channel: "通道",
    "window x": "窗口 x",
    "kernel w": "卷积核 w",
    "Σ x·w": "Σ x·w",
    "sum of the {count} products + bias {bias} = {total}": "{count} 个乘积之和 + 偏置 {bias} = {total}",
    "ReLU: max(0, {x}) = {y} (the value of {layer} at the same position)": "ReLU：max(0, {x}) = {y}（{layer} 在同一位置的值）",
    "Max pooling: the {size} × {size} window of {layer} at rows {top}–{bottom}, columns {left}–{right}:":
      "最大池化：{layer} 在第 {top}–{bottom} 行、第 {left}–{right} 列的 {size} × {size} 窗口：",
    "Input channel {channel}: the pixel's byte divided by 255 = {value}": "输入通道 {channel}：像素的字节值除以 255 = {value}",
    "softmax: p = e^(z − max z) / Σ e^(z − max z), with max z = {top}": "softmax：p = e^(z − max z) / Σ e^(z − max z)，其中 max z = {top}",
    class: "类别",
    "logit z": "logit z",
    "z − max z": "z − max z",
    "e^(z − max z)": "e^(z − max z)",
    p: "p",
    "Weights: CNN Explainer's trained Tiny VGG (Wang et al., 2020), MIT license (":
      "权值：CNN Explainer 训练好的 Tiny VGG（Wang 等人，2020），MIT 许可证（",
    license: "许可证",
    "), computed in this page.": "），在本页中计算。",
  },
};
