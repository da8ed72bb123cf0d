"""Report requests, their target agencies and the submissions (báo cáo định kỳ / đột xuất)."""
